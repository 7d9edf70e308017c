using MessagePlatform.Api.Access;
using static MessagePlatform.IntegrationTests.Infrastructure.StartupInputs;

namespace MessagePlatform.IntegrationTests.Access;

public sealed class KeyRingStartupTests
{
    [Fact]
    public void production_refuses_to_start_without_a_key_ring_certificate()
    {
        var error = Assert.Throws<InvalidOperationException>(() => KeyRingAtRest.From(Config(), Env("Production")));
        Assert.Contains(KeyRingAtRest.CertificateSetting, error.Message);
        Assert.Throws<InvalidOperationException>(() =>
            KeyRingAtRest.From(Config((KeyRingAtRest.CertificateSetting, "/no/such/file.pfx")), Env("Production")));
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Testing")]
    public void development_and_testing_run_with_a_plain_ring(string environment) =>
        Assert.Null(KeyRingAtRest.From(Config(), Env(environment)).Certificate);
}
