using Marten;
using MessagePlatform.Projections;

namespace MessagePlatform.Api.Webhooks;

/// <summary>Webhook registrations and the delivery outbox: plain tables, read and claimed with SQL.</summary>
public static class WebhookTables
{
    public const string Registrations = "mp_webhooks";
    public const string Deliveries = "mp_webhook_deliveries";

    public static void AddTo(StoreOptions options)
    {
        var hooks = ReadModels.NewTable(Registrations);
        hooks.AddColumn<string>("tenant_id").AsPrimaryKey();
        hooks.AddColumn<string>("session_id").AsPrimaryKey(); // '' is the tenant's default
        hooks.AddColumn<string>("url").NotNull();
        hooks.AddColumn<string>("secret").NotNull();
        hooks.AddColumn("events", "text[]").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(hooks);

        var deliveries = ReadModels.NewTable(Deliveries);
        deliveries.AddColumn<string>("id").AsPrimaryKey();
        deliveries.AddColumn<string>("tenant_id").NotNull();
        deliveries.AddColumn<string>("session_id").NotNull();
        deliveries.AddColumn<long>("first_seq").NotNull();
        deliveries.AddColumn<string>("url").NotNull();
        // No secret here: it is looked up when sending, so rotating it needs no rewrite and a row leaks none.
        // The payload is nulled once delivered; only a pending or parked delivery still carries bodies.
        deliveries.AddColumn("payload", "jsonb");
        deliveries.AddColumn<string>("status").NotNull();
        deliveries.AddColumn<int>("attempts").NotNull();
        deliveries.AddColumn<DateTimeOffset>("next_attempt_at").NotNull();
        deliveries.AddColumn<DateTimeOffset>("claimed_until");
        deliveries.AddColumn<string>("last_error");
        deliveries.AddColumn<DateTimeOffset>("created_at").NotNull();
        deliveries.AddColumn<DateTimeOffset>("settled_at"); // delivered or parked: what the retentions count from
        // The span of the commit that wrote the delivery's first event: its POST joins that trace.
        deliveries.AddColumn<string>("traceparent");
        deliveries.Indexes.Add(new Weasel.Postgresql.Tables.IndexDefinition($"ix_{Deliveries}_session")
        {
            Columns = ["tenant_id", "session_id", "first_seq"],
            Predicate = "status = 'pending'",
        });
        deliveries.Indexes.Add(new Weasel.Postgresql.Tables.IndexDefinition($"ix_{Deliveries}_settled")
        {
            Columns = ["settled_at"],
            Predicate = "status <> 'pending'",
        });
        options.Storage.ExtendedSchemaObjects.Add(deliveries);
    }
}
