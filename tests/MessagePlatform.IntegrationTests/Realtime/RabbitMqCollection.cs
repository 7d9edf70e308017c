namespace MessagePlatform.IntegrationTests.Realtime;

/// <summary>The tests that use the one private RabbitMQ run one after another: one of them restarts it.</summary>
[CollectionDefinition(Name)]
public sealed class RabbitMqCollection
{
    public const string Name = "rabbitmq";
}
