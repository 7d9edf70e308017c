using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Operations;

/// <summary>The real host, on the real database, refuses a bad setting at start and says which one.</summary>
public sealed class SettingsStartupTests
{
    [Theory]
    [InlineData("Realtime:KeepAliveSeconds", "-1")]
    [InlineData("Mqtt:MaxKeepAliveSeconds", "0")]
    [InlineData("Access:KeyCacheSeconds", "10")]
    [InlineData("HistoryOnJoin:MaxRowsPerJoin", "-5")]
    [InlineData("RequestLimits:MaxRequestBodyBytes", "0")]
    public async Task a_host_with_a_setting_out_of_range_refuses_to_start_naming_the_setting(string key, string value)
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var host = new PlatformHost(postgres, settings: new Dictionary<string, string> { [key] = value });
        var failure = Assert.ThrowsAny<Exception>(() => host.CreateClient()).ToString();
        Assert.Contains(key, failure);
    }
}
