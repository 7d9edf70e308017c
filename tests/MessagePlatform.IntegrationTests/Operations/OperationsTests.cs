using System.Net;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Operations;

[Collection(PlatformCollection.Name)]
public sealed class OperationsTests(PlatformFixture platform)
{
    [Fact]
    public async Task liveness_and_readiness_report_healthy_with_the_database_checked()
    {
        using var anonymous = platform.Host.CreateClient();
        await anonymous.GetAsync("/health/live").ExpectAsync(HttpStatusCode.OK);
        var ready = await anonymous.GetAsync("/health/ready").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.True(ready.GetProperty("checks").TryGetProperty("postgres", out _));
    }

    [Fact]
    public async Task the_openapi_document_covers_every_endpoint()
    {
        using var anonymous = platform.Host.CreateClient();
        var doc = await anonymous.GetAsync("/openapi/v1.json").ExpectAsync(HttpStatusCode.OK);
        var paths = doc.GetProperty("paths");
        foreach (var (path, verb) in new[]
                 {
                     ("/v1/tenants", "post"), ("/v1/tenants/{tenantId}", "get"), ("/v1/sessions", "post"),
                     ("/v1/sessions/{sessionId}", "get"), ("/v1/sessions/{sessionId}/members", "post"),
                     ("/v1/sessions/{sessionId}/members/{userId}", "delete"), ("/v1/sessions/{sessionId}/close", "post"),
                     ("/v1/sessions/{sessionId}/messages", "post"), ("/v1/sessions/{sessionId}/messages", "get"),
                     ("/v1/users/{userId}/sync", "get"), ("/v1/users/{userId}/conversations", "get"),
                     ("/v1/users/{userId}/conversations/{sessionId}/read", "post"), ("/v1/admin/projections/rebuild", "post"),
                     ("/v1/users/{userId}/presence", "get"), ("/v1/presence/query", "post"), ("/v1/users/{userId}/tags", "put"),
                     ("/v1/users/{userId}/tags", "get"), ("/v1/broadcasts", "post"), ("/v1/users/{userId}/erase", "post"),
                     ("/v1/audit/gc", "get"), ("/v1/audit/sessions/{sessionId}/legal-hold", "post"),
                     ("/v1/audit/sessions/{sessionId}/legal-hold", "delete"), ("/v1/admin/gc/run", "post"),
                 })
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is missing");
            Assert.True(item.TryGetProperty(verb, out _), $"{verb} {path} is missing");
        }
        // Every operation says what it does and more than its happy status.
        foreach (var path in paths.EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "delete"))
        {
            var what = $"{operation.Name} {path.Name}";
            Assert.False(string.IsNullOrWhiteSpace(operation.Value.TryGetProperty("summary", out var summary) ? summary.GetString() : null),
                $"{what} has no summary");
            Assert.True(operation.Value.GetProperty("responses").EnumerateObject().Count() >= 2, $"{what} lists one status only");
        }
    }

    [Fact]
    public async Task an_unknown_route_is_a_404_problem()
    {
        using var anonymous = platform.Host.CreateClient();
        var response = await anonymous.GetAsync("/v1/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
