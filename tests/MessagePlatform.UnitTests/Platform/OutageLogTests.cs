using System.Net.Sockets;
using MessagePlatform.Api.Platform;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MessagePlatform.UnitTests.Platform;

public sealed class OutageLogTests
{
    private sealed class Lines : ILogger
    {
        public List<LogLevel> Levels { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Levels.Add(logLevel);
    }

    private static readonly NpgsqlException Refused = new("Failed to connect", new SocketException((int)SocketError.ConnectionRefused));

    [Fact]
    public void an_outage_is_one_warning_and_one_line_when_it_ends_and_the_loop_backs_off_up_to_a_ceiling()
    {
        var lines = new Lines();
        var outage = new OutageLog(lines, "test loop");
        var waits = Enumerable.Range(0, 20).Select(_ => outage.Failed(Refused, TimeSpan.FromMilliseconds(200))).ToList();
        Assert.True(outage.InOutage);
        outage.Succeeded();
        outage.Succeeded();

        Assert.Equal([LogLevel.Warning, .. Enumerable.Repeat(LogLevel.Debug, 19), LogLevel.Information], lines.Levels);
        Assert.Equal(waits.Order(), waits);
        Assert.Equal(OutageLog.MaxBackoff, waits[^1]);
        Assert.False(outage.InOutage);
    }

    [Fact]
    public void a_failure_that_is_not_an_outage_is_a_warning_every_time_at_the_loops_own_pace()
    {
        var lines = new Lines();
        var outage = new OutageLog(lines, "test loop");
        Assert.Equal(TimeSpan.FromSeconds(1), outage.Failed(new InvalidOperationException("bug"), TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(1), outage.Failed(new InvalidOperationException("bug"), TimeSpan.FromSeconds(1)));
        Assert.Equal([LogLevel.Warning, LogLevel.Warning], lines.Levels);
        Assert.False(outage.InOutage);
    }
}
