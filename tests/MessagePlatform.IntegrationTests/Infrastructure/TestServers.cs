using Npgsql;

namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>
/// The PostgreSQL and RabbitMQ that the README's test command started. A missing server fails the
/// tests at their first connection: nothing here skips.
/// </summary>
public static class TestServers
{
    public static string Postgres =>
        Environment.GetEnvironmentVariable("MP_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";

    public static string RabbitMq =>
        Environment.GetEnvironmentVariable("MP_TEST_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:56720/";

    /// <summary>Stops or starts the test run's private RabbitMQ through the same script the test command uses.</summary>
    public static async Task RabbitMqAsync(string verb) => Assert.Equal(0, await RunRabbitMqScriptAsync(verb));

    private static Task<int> RunRabbitMqScriptAsync(string verb) =>
        RunInfraScriptAsync("rabbitmq.sh", verb, new Dictionary<string, string> { ["MP_RABBIT_PORT"] = new Uri(RabbitMq).Port.ToString() });

    /// <summary>Runs one of the repository's <c>infra/</c> scripts, as the README's commands do; its exit code.</summary>
    public static async Task<int> RunInfraScriptAsync(string script, string arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash", $"infra/{script} {arguments}") { WorkingDirectory = RepositoryRoot };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = System.Diagnostics.Process.Start(start)!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    public static string RepositoryRoot
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "MessagePlatform.sln"))) root = root.Parent;
            Assert.NotNull(root);
            return root.FullName;
        }
    }

    /// <summary>
    /// A new virtual host on the test run's RabbitMQ, as an amqp:// address: a cluster of test nodes on
    /// it has its own `mp-fanout` and gateway queues, so it runs beside every other test.
    /// </summary>
    public static async Task<string> CreateVirtualHostAsync()
    {
        var name = $"mp-test-{Guid.NewGuid():N}"[..20];
        // A test of the rabbitmq collection may be restarting the broker: wait for it to come back.
        for (var deadline = DateTime.UtcNow.AddSeconds(90); ; await Task.Delay(1000))
        {
            if (await RunRabbitMqScriptAsync($"vhost {name}") == 0) break;
            Assert.True(DateTime.UtcNow < deadline, $"could not add the RabbitMQ virtual host {name}");
        }
        var address = new UriBuilder(RabbitMq) { Path = "/" + name };
        return address.Uri.ToString();
    }

    /// <summary>A new, empty database for one fixture, so fixtures never see each other's data.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var name = $"mp_test_{Guid.NewGuid():N}"[..24];
        await using var admin = new NpgsqlConnection(Postgres);
        await admin.OpenAsync();
        await using (var create = new NpgsqlCommand($"create database {name}", admin)) await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(Postgres) { Database = name }.ConnectionString;
    }
}
