using JasperFx.Events;
using Npgsql;

namespace MessagePlatform.Api.EventStore;

/// <summary>
/// Whether an append lost a race: another writer moved the stream's version, started the same
/// stream, or stored the same key first. Such a failure is retried or answered 409, never 500.
/// </summary>
public static class StreamConflicts
{
    public static bool Is(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is EventStreamUnexpectedMaxEventIdException or Marten.Exceptions.ExistingStreamIdCollisionException
                or ExistingStreamIdCollisionException or JasperFx.ConcurrencyException
                || x is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
                return true;
        }
        return false;
    }
}
