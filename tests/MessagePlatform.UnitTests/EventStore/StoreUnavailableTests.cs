using System.Net.Sockets;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using Npgsql;

namespace MessagePlatform.UnitTests.EventStore;

public sealed class StoreUnavailableTests
{
    private static PostgresException Postgres(string sqlState) => new("failed", "FATAL", "FATAL", sqlState);

    [Fact]
    public void a_refused_or_reset_connection_a_pool_timeout_and_a_shutting_down_server_are_the_store_being_away_however_wrapped()
    {
        Assert.True(StoreUnavailable.Is(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(StoreUnavailable.Is(new NpgsqlException("The connection pool has been exhausted", new TimeoutException())));
        Assert.True(StoreUnavailable.Is(Postgres("57P01")));
        Assert.True(StoreUnavailable.Is(Postgres("57P03")));
        Assert.True(StoreUnavailable.Is(Postgres("08006")));
        // Marten wraps them, and a rollback on a dead connection throws ObjectDisposedException around them.
        Assert.True(StoreUnavailable.Is(new InvalidOperationException("Marten Command Failure", new NpgsqlException("lost", new IOException("reset")))));
        Assert.True(StoreUnavailable.Is(new ObjectDisposedException("NpgsqlTransaction", Postgres("57P01"))));
        Assert.True(StoreUnavailable.Is(new AggregateException(new InvalidOperationException("x"), Postgres("57P02"))));
        Assert.True(StoreUnavailable.Is(new StoreUnavailableException(new IOException())));
    }

    [Fact]
    public void a_lost_race_a_refused_value_or_a_bug_is_not_an_outage()
    {
        Assert.False(StoreUnavailable.Is(Postgres(PostgresErrorCodes.UniqueViolation)));
        Assert.False(StoreUnavailable.Is(Postgres(PostgresErrorCodes.SerializationFailure)));
        Assert.False(StoreUnavailable.Is(Postgres(PostgresErrorCodes.CharacterNotInRepertoire)));
        Assert.False(StoreUnavailable.Is(new InvalidOperationException("bug")));
        Assert.False(StoreUnavailable.Is(new OperationCanceledException()));
    }

    [Fact]
    public void the_store_connection_waits_3_s_for_a_connection_unless_the_operator_says_otherwise()
    {
        Assert.Equal(3, new NpgsqlConnectionStringBuilder(EventStoreConfig.StoreConnectionString("Host=db;Username=u")).Timeout);
        Assert.Equal(20, new NpgsqlConnectionStringBuilder(EventStoreConfig.StoreConnectionString("Host=db;Username=u;Timeout=20")).Timeout);
        Assert.Equal(64, new NpgsqlConnectionStringBuilder(EventStoreConfig.StoreConnectionString("Host=db;Username=u")).MaxAutoPrepare);
    }
}
