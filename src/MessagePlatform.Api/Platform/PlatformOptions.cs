namespace MessagePlatform.Api.Platform;

/// <summary>The configuration variables of API.md, read from the environment or appsettings.</summary>
public sealed record PlatformOptions(
    string Postgres,
    string Transport,
    string RabbitMq,
    string? AdminKey,
    int NodeId,
    int CommitLanes)
{
    public const string DevelopmentAdminKey = "dev-admin-key";
    public const string DevelopmentPostgres = "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";

    public bool UsesRabbitMq => Transport == "rabbitmq";

    /// <summary>
    /// The projection leader holds its advisory lock on a connection that mostly sits in
    /// pg_sleep. PostgreSQL notices a killed client only when it next talks to it, so without this
    /// a SIGKILLed leader keeps the lock (and the cluster keeps no projection running) for up to a
    /// minute. client_connection_check_interval makes the server look every 2 s.
    /// </summary>
    public static string WithDeadClientCheck(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Options?.Contains("client_connection_check_interval") != true)
            builder.Options = $"{builder.Options} -c client_connection_check_interval=2000".Trim();
        return builder.ConnectionString;
    }

    public static PlatformOptions From(IConfiguration config, IHostEnvironment env)
    {
        var transport = (config["MP_TRANSPORT"] ?? "inmemory").Trim().ToLowerInvariant();
        if (transport is not ("inmemory" or "rabbitmq"))
            throw new InvalidOperationException($"MP_TRANSPORT must be 'inmemory' or 'rabbitmq', not '{transport}'.");
        var adminKey = config["MP_ADMIN_KEY"];
        if (string.IsNullOrWhiteSpace(adminKey))
        {
            // A production node without an admin key would be unmanageable or, worse, guessable.
            adminKey = env.IsDevelopment()
                ? DevelopmentAdminKey
                : throw new InvalidOperationException("MP_ADMIN_KEY must be set outside Development.");
        }
        var nodeId = config.GetValue("MP_NODE_ID", 0);
        if (nodeId is < 0 or > Domain.MsgIds.MaxNodeId)
            throw new InvalidOperationException($"MP_NODE_ID must be 0..{Domain.MsgIds.MaxNodeId}.");
        return new PlatformOptions(
            WithDeadClientCheck(config["MP_POSTGRES"] ?? DevelopmentPostgres),
            transport,
            config["MP_RABBITMQ"] ?? "amqp://guest:guest@localhost:5672/",
            adminKey,
            nodeId,
            // Fewer lanes make bigger group commits; measured best here at one lane per two cores.
            Math.Clamp(config.GetValue("MP_COMMIT_LANES", Math.Max(1, Environment.ProcessorCount / 2)), 1, 64));
    }
}
