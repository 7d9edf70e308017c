using System.Net;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Operations;

[Collection(MessagePlatform.IntegrationTests.Realtime.RabbitMqCollection.Name)]
public sealed class RabbitMqReadinessTests
{
    [Fact]
    public async Task with_rabbitmq_as_transport_readiness_checks_the_bus_too()
    {
        await using var host = new PlatformHost(await TestServers.CreateDatabaseAsync(), transport: "rabbitmq");
        using var client = host.CreateClient();
        // The bus connects in the background; readiness turns healthy once it has.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpResponseMessage ready;
        do
        {
            ready = await client.GetAsync("/health/ready");
            if (ready.StatusCode == HttpStatusCode.OK) break;
            await Task.Delay(250);
        } while (DateTime.UtcNow < deadline);
        var report = await Task.FromResult(ready).ExpectAsync(HttpStatusCode.OK);
        var bus = report.GetProperty("checks").EnumerateObject().Single(c => c.Name.StartsWith("masstransit"));
        Assert.Equal("Healthy", bus.Value.GetProperty("status").GetString());
        // Readiness is anonymous: it names no broker address (those are in the node's log).
        Assert.DoesNotContain("rabbitmq://", report.ToString());
    }
}
