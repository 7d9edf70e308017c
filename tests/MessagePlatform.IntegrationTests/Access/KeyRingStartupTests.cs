using MessagePlatform.Api.Access;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace MessagePlatform.IntegrationTests.Access;

public sealed class KeyRingStartupTests
{
    private sealed class Env(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "MessagePlatform.Api";
        public string ContentRootPath { get; set; } = "/";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void production_refuses_to_start_without_a_key_ring_certificate()
    {
        var error = Assert.Throws<InvalidOperationException>(() => KeyRingAtRest.From(Config(), new Env("Production")));
        Assert.Contains(KeyRingAtRest.CertificateSetting, error.Message);
        Assert.Throws<InvalidOperationException>(() =>
            KeyRingAtRest.From(Config((KeyRingAtRest.CertificateSetting, "/no/such/file.pfx")), new Env("Production")));
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Testing")]
    public void development_and_testing_run_with_a_plain_ring(string environment) =>
        Assert.Null(KeyRingAtRest.From(Config(), new Env(environment)).Certificate);
}
