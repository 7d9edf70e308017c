using Npgsql;
using Polly;
using Polly.Retry;

namespace MessagePlatform.Api.EventStore;

/// <summary>
/// The one retry policy of appends outside the lanes: a transient database failure (a dropped
/// connection, a failover, a serialization failure) is tried again, a few times with backoff; a lost
/// race (<see cref="StreamConflicts"/>) is not, since its caller must decide again on the new version.
/// </summary>
public static class TransientFailures
{
    public static bool Is(Exception e)
    {
        if (StreamConflicts.Is(e)) return false;
        for (var x = e; x is not null; x = x.InnerException)
            if (x is NpgsqlException { IsTransient: true }) return true;
        return false;
    }

    public static readonly ResiliencePipeline Retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(Is),
            MaxRetryAttempts = 3,
            Delay = TimeSpan.FromMilliseconds(100),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .Build();
}
