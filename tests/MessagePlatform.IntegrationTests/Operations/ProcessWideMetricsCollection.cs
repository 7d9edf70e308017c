namespace MessagePlatform.IntegrationTests.Operations;

/// <summary>
/// OpenTelemetry's MeterProvider listens to meters by name across the whole process, not per host: with
/// the suite's hosts side by side, another host's connection gauge (0) overwrites this one's in a scrape
/// (CI failed so). Production runs one host per process; here the tests reading a gauge's value run
/// alone, after the parallel collections have disposed their hosts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMetricsCollection
{
    public const string Name = "process-wide metrics";
}
