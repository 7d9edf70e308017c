using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using Npgsql;

namespace MessagePlatform.UnitTests.EventStore;

public sealed class TransientFailuresTests
{
    private static PostgresException Postgres(string sqlState) => new("failed", "ERROR", "ERROR", sqlState);

    [Fact]
    public void a_dropped_connection_or_a_serialization_failure_is_transient_even_when_wrapped()
    {
        Assert.True(TransientFailures.Is(new NpgsqlException("lost", new IOException("reset"))));
        Assert.True(TransientFailures.Is(Postgres(PostgresErrorCodes.SerializationFailure)));
        Assert.True(TransientFailures.Is(new InvalidOperationException("outer", Postgres(PostgresErrorCodes.SerializationFailure))));
    }

    [Fact]
    public void a_lost_race_or_a_refused_value_is_not_retried()
    {
        Assert.False(TransientFailures.Is(Postgres(PostgresErrorCodes.UniqueViolation)));
        Assert.False(TransientFailures.Is(Postgres(PostgresErrorCodes.CharacterNotInRepertoire)));
        Assert.False(TransientFailures.Is(new InvalidOperationException("bug")));
    }

    [Fact]
    public async Task the_append_policy_tries_a_transient_failure_again_and_surfaces_a_conflict_at_once()
    {
        var tries = 0;
        await TransientFailures.Retry.ExecuteAsync(_ =>
            ++tries < 3 ? throw Postgres(PostgresErrorCodes.SerializationFailure) : ValueTask.CompletedTask);
        Assert.Equal(3, tries);

        tries = 0;
        await Assert.ThrowsAsync<PostgresException>(async () => await TransientFailures.Retry.ExecuteAsync(_ =>
        {
            tries++;
            throw Postgres(PostgresErrorCodes.UniqueViolation);
        }));
        Assert.Equal(1, tries);
    }

    [Fact]
    public void the_store_connection_prepares_hot_statements_unless_the_operator_says_otherwise()
    {
        var prepared = new NpgsqlConnectionStringBuilder(EventStoreConfig.WithAutoPrepare("Host=db;Username=u"));
        Assert.Equal((64, 2), (prepared.MaxAutoPrepare, prepared.AutoPrepareMinUsages));
        var off = new NpgsqlConnectionStringBuilder(EventStoreConfig.WithAutoPrepare("Host=db;Username=u;Max Auto Prepare=0"));
        Assert.Equal(0, off.MaxAutoPrepare);
    }
}
