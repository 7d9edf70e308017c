using Npgsql;

namespace MessagePlatform.Api.EventStore;

/// <summary>
/// The database cannot be reached now: a refused or dropped connection, a server shutting down or
/// starting, a connect or pool wait that timed out, however Marten or the lanes wrap it. Waiting
/// helps and the request changed nothing it can tell, so every door answers it the same way: 503
/// with Retry-After, never a 500 or a hang.
/// </summary>
public static class StoreUnavailable
{
    /// <summary>What callers are told to wait: a restart or a failover takes seconds, not minutes.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    public const string Title = "Store unavailable";

    public const string Detail = "The message store cannot be reached now; nothing was changed that you cannot retry. Retry after the given time.";

    public static bool Is(Exception e) => e switch
    {
        StoreUnavailableException => true,
        // Server-side states of an outage: shutting down (57P01, 57P02), starting (57P03), a
        // connection exception (class 08), no connection slot left (53300).
        PostgresException p => p.SqlState is "57P01" or "57P02" or "57P03" or "53300" || p.SqlState.StartsWith("08", StringComparison.Ordinal),
        // Client-side: Npgsql marks socket, I/O and timeout failures (connect, pool wait, command) transient.
        NpgsqlException { IsTransient: true } => true,
        AggregateException all => all.InnerExceptions.Any(Is),
        _ => e.InnerException is { } inner && Is(inner),
    };
}

/// <summary>A command the commit lanes could not commit because the store is away (<see cref="StoreUnavailable"/>).</summary>
public sealed class StoreUnavailableException(Exception cause) : Exception(StoreUnavailable.Detail, cause);
