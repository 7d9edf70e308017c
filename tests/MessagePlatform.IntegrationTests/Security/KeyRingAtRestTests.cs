using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>The data protection key ring, which signs every user token, is stored encrypted when a certificate is configured.</summary>
public sealed class KeyRingAtRestTests : IAsyncLifetime
{
    private readonly string _pfx = Path.Combine(Path.GetTempPath(), $"mp-keyring-{Guid.NewGuid():N}.pfx");
    private const string Password = "test-keyring-password";

    public Task InitializeAsync()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=MessagePlatform key ring (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllBytes(_pfx, certificate.Export(X509ContentType.Pfx, Password));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        File.Delete(_pfx);
        return Task.CompletedTask;
    }

    // Two nodes at once form a cluster: RabbitMQ, on a virtual host of this test's own.
    private WebApplicationFactory<Program> NodeWithCertificate(string postgres, int nodeId, string rabbitMq) =>
        new PlatformHost(postgres, nodeId, transport: "rabbitmq", rabbitMq: rabbitMq).WithWebHostBuilder(b => b
            .UseSetting("MP_KEYRING_CERT", _pfx)
            .UseSetting("MP_KEYRING_CERT_PASSWORD", Password));

    [Fact]
    public async Task with_a_certificate_the_stored_key_ring_holds_only_encrypted_secrets_and_tokens_work_on_every_node()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        var rabbitMq = await TestServers.CreateVirtualHostAsync();
        await using var nodeA = NodeWithCertificate(postgres, 1, rabbitMq);
        using var admin = nodeA.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", PlatformHost.AdminKey);
        var created = await admin.PostAsJsonAsync("/v1/tenants", new { tenantId = "ring-tenant", name = "Ring", scenario = "social" })
            .ExpectAsync(HttpStatusCode.Created);
        using var app = nodeA.CreateClient();
        app.DefaultRequestHeaders.Authorization = new("Bearer", created.GetProperty("appKey").GetString());
        var token = await app.TokenAsync("ann");

        var rows = await TestDatabase.CountAsync(postgres, "select count(*) from mp.mp_data_protection_keys");
        Assert.True(rows > 0);
        Assert.Equal(rows, await TestDatabase.CountAsync(postgres,
            "select count(*) from mp.mp_data_protection_keys where xml like '%<encryptedSecret%' and xml not like '%<value>%'"));

        // Another node reads the encrypted ring with the same certificate and accepts the token.
        await using var nodeB = NodeWithCertificate(postgres, 2, rabbitMq);
        using var ann = nodeB.CreateClient();
        ann.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await ann.GetAsync("/v1/users/ann/sync").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task without_a_certificate_in_testing_the_ring_is_plain_as_documented()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var node = new PlatformHost(postgres);
        using var admin = node.ClientWith(PlatformHost.AdminKey);
        var created = await admin.PostAsJsonAsync("/v1/tenants", new { tenantId = "plain-tenant", name = "Plain", scenario = "social" })
            .ExpectAsync(HttpStatusCode.Created);
        using var app = node.ClientWith(created.GetProperty("appKey").GetString()!);
        await app.TokenAsync("ann");
        Assert.Equal(0, await TestDatabase.CountAsync(postgres, "select count(*) from mp.mp_data_protection_keys where xml like '%<encryptedSecret%'"));
    }
}
