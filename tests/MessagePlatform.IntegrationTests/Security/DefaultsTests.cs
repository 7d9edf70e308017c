using System.Net;
using MassTransit;
using MassTransit.UsageTracking;
using MessagePlatform.Api.Platform;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>Safe defaults: no call home, no exception text to anonymous callers, no forged log lines.</summary>
public sealed class DefaultsTests
{
    [Fact]
    public async Task masstransit_usage_telemetry_is_off()
    {
        await using var host = new PlatformHost(await TestServers.CreateDatabaseAsync());
        Assert.False(host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
        // The tracker itself, which also reads MASSTRANSIT_USAGE_TELEMETRY, reports nothing.
        Assert.False(Assert.IsType<UsageTracker>(host.Services.GetRequiredService<IUsageTracker>()).Enabled);
    }

    [Fact]
    public async Task readiness_with_the_database_gone_answers_503_without_exception_text()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        var database = new NpgsqlConnectionStringBuilder(postgres).Database!;
        await using var host = new PlatformHost(postgres);
        using var client = host.CreateClient();
        await client.GetAsync("/health/ready").ExpectAsync(HttpStatusCode.OK);
        try
        {
            await AdminAsync($"alter database {database} with allow_connections false; " +
                             $"select pg_terminate_backend(pid) from pg_stat_activity where datname = '{database}'");
            HttpResponseMessage ready;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            do ready = await client.GetAsync("/health/ready");
            while (ready.StatusCode != HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline && await Pause());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var body = await ready.Content.ReadAsStringAsync();
            Assert.Contains("\"postgres\"", body);
            Assert.Contains("Unhealthy", body);
            foreach (var leak in new[] { "Npgsql", "Exception", "exception", "refused", "accepting", "terminat", database, "127.0.0.1", "   at " })
                Assert.DoesNotContain(leak, body);
        }
        finally
        {
            // So the host can stop cleanly.
            await AdminAsync($"alter database {database} with allow_connections true");
        }
    }

    private static async Task<bool> Pause()
    {
        await Task.Delay(250);
        return true;
    }

    private static async Task AdminAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(TestServers.Postgres);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, admin);
        await cmd.ExecuteNonQueryAsync();
    }

    private sealed class Lines(Serilog.Formatting.ITextFormatter formatter, TextWriter output) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => formatter.Format(logEvent, output);
    }

    [Fact]
    public void user_input_in_a_log_event_cannot_start_a_line_or_reorder_text()
    {
        var output = new StringWriter();
        // The enricher and formatter the host's console sink uses.
        using (var log = new LoggerConfiguration().Enrich.With<LogEscaping>().WriteTo.Sink(new Lines(LogEscaping.ConsoleFormatter(), output)).CreateLogger())
            log.Information("Retracted {MsgId} by {UserId} for {@Reason} in {Sessions}",
                "m1", "bob\r\n[ERR] forged", new { Text = "x\u001B[31mred\u202Egnp.exe" }, new[] { "s\u2028two", "ok" });
        var rendered = output.ToString();
        Assert.Single(rendered.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith("\n", rendered);
        Assert.Contains(@"bob\r\n[ERR] forged", rendered);
        // Structures and sequences render as JSON, which escapes the escape's backslash once more.
        Assert.Contains(@"x\\u001B[31mred\\u202Egnp.exe", rendered);
        Assert.Contains(@"s\\u2028two", rendered);
        foreach (var raw in new[] { '\r', '\u001B', '\u202E', '\u2028' }) Assert.DoesNotContain(raw, rendered);
    }

    [Fact]
    public void docker_compose_publishes_no_broker_management_and_has_no_default_password()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "MessagePlatform.sln"))) root = root.Parent;
        var compose = File.ReadAllText(Path.Combine(root!.FullName, "docker-compose.yml"));
        foreach (var unsafeDefault in new[] { "guest:guest", "15672", "-management", "Password=postgres", "POSTGRES_PASSWORD: postgres" })
            Assert.DoesNotContain(unsafeDefault, compose);
        // Every secret comes from the environment, and compose refuses to run without it.
        foreach (var secret in new[] { "POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "MP_ADMIN_KEY" })
            Assert.Contains("${" + secret + ":?", compose);
        var published = System.Text.RegularExpressions.Regex.Matches(compose, @"^\s*- ""([^""]+)""\s*$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.NotEmpty(published);
        Assert.All(published, port => Assert.StartsWith("127.0.0.1:", port.Groups[1].Value));
    }

    [Theory]
    [InlineData("plain text, ünïcødé, 中文", "plain text, ünïcødé, 中文")]
    [InlineData("a\tb\nc\rd", @"a\tb\nc\rd")]
    [InlineData("\0\u007F\u0085\u009F", @"\u0000\u007F\u0085\u009F")]
    [InlineData("\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u2029", @"\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u2029")]
    public void control_and_bidi_characters_are_escaped_and_nothing_else(string text, string escaped) =>
        Assert.Equal(escaped, LogEscaping.Escape(text));
}
