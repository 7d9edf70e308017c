using System.ComponentModel.DataAnnotations;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Realtime;
using MessagePlatform.Api.Webhooks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MessagePlatform.Api.Messages;

/// <summary>
/// Intake backpressure (`Intake:*`): past these, sends are refused with 503 and Retry-After rather
/// than letting pushes fall behind commits. Low priority is shed first, then every send.
/// </summary>
public sealed class IntakeOptions
{
    public const string Section = "Intake";

    /// <summary>Off, sends are never refused for pushes behind (the backlog is then not measured either).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Pushes this far behind the store refuse `low` priority sends.</summary>
    [Range(0, 600_000)]
    public int ShedLowPriorityAtMs { get; set; } = 500;

    /// <summary>Pushes this far behind refuse every send.</summary>
    [Range(0, 600_000)]
    public int RefuseAllAtMs { get; set; } = 1000;

    /// <summary>How often each node measures the backlog (one query, cluster-wide).</summary>
    [Range(20, 10_000)]
    public int SampleEveryMs { get; set; } = 200;

    [Range(1, 60)]
    public int RetryAfterSeconds { get; set; } = 1;
}

/// <summary>
/// How far the readers that push (the realtime publisher and the webhook outbox) trail the store,
/// in time: the age of the oldest event either has not yet processed. Measured cluster-wide in the
/// database every <see cref="IntakeOptions.SampleEveryMs"/> on every node, whichever node runs the
/// daemon, and kept, so a send reads a field and never waits on a query. A failed measurement
/// opens the gate (with a warning): a lost measurement must not stop intake.
/// </summary>
public sealed class PushBacklog(NpgsqlDataSource db, IOptions<IntakeOptions> options, ILogger<PushBacklog> log) : BackgroundService
{
    private readonly IntakeOptions _options = options.Value;

    // Marten names a subscription's progress "{name}:All"; an event above a reader's progress is one it has not pushed.
    // Marten has no API for that event's age, so this reads its tables, one cheap indexed look-up per reader.
    private static readonly string TrailingSql =
        "select coalesce(extract(epoch from (now() - min(e.timestamp))) * 1000, 0)::float8 " +
        $"from (values ('{RealtimePublisher.SubscriptionId}:All'), ('{WebhookOutbox.SubscriptionId}:All')) as r(name) " +
        $"left join {EventStoreConfig.Schema}.mt_event_progression p on p.name = r.name " +
        "cross join lateral (" +
        $"select timestamp from {EventStoreConfig.Schema}.mt_events where seq_id > coalesce(p.last_seq_id, 0) order by seq_id limit 1) e";

    private long _trailingMs;

    /// <summary>The last measured backlog: how far pushes trail commits.</summary>
    public TimeSpan Trailing => TimeSpan.FromMilliseconds(Volatile.Read(ref _trailingMs));

    /// <summary>Null when a send of this priority may go ahead; else the refusal, in the documented order (low first).</summary>
    public SendOutcome.Overloaded? Refuses(string priority)
    {
        var trailingMs = Volatile.Read(ref _trailingMs);
        if (Sheds(_options, trailingMs, priority) is not { } which) return null;
        return new SendOutcome.Overloaded(TimeSpan.FromSeconds(_options.RetryAfterSeconds),
            $"Pushes trail the stored messages by {trailingMs} ms; the platform takes {which} until they catch up.");
    }

    /// <summary>What intake sheds at this backlog for a send of this priority ("no sends", "no low-priority sends"), or null.</summary>
    public static string? Sheds(IntakeOptions options, long trailingMs, string priority) =>
        !options.Enabled ? null
        : trailingMs > options.RefuseAllAtMs ? "no sends"
        : priority == "low" && trailingMs > options.ShedLowPriorityAtMs ? "no low-priority sends"
        : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.SampleEveryMs));
        var failing = false;
        do
        {
            try
            {
                var trailingMs = await db.Command(TrailingSql).ScalarAsync<double>(stoppingToken);
                Volatile.Write(ref _trailingMs, (long)trailingMs);
                failing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Volatile.Write(ref _trailingMs, 0);
                // Once per outage, not five times a second.
                if (!failing) log.LogWarning(e, "Could not measure how far pushes trail; intake stays open until it can");
                failing = true;
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

public static class PushBacklogConfig
{
    public static IHostApplicationBuilder AddPushBacklog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IntakeOptions>().BindConfiguration(IntakeOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.ShedLowPriorityAtMs <= o.RefuseAllAtMs, "Intake:ShedLowPriorityAtMs must not be above Intake:RefuseAllAtMs")
            .ValidateOnStart();
        builder.Services.AddSingleton<PushBacklog>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PushBacklog>());
        return builder;
    }
}
