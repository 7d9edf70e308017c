using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MessagePlatform.IntegrationTests.Operations;

/// <summary>
/// The served OpenAPI document is the contract checked in as `docs/openapi.json`, every operation has a
/// unique operationId and (outside the open endpoints) the bearer requirement, and the reference is browsable.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class OpenApiDocumentTests(PlatformFixture platform)
{
    private const string UpdateVariable = "MP_UPDATE_OPENAPI";

    private static readonly JsonSerializerOptions Pretty = new()
    {
        WriteIndented = true,
        // Readable in a diff: `<credential>`, `…` and quotes as they are, not \u escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [Fact]
    public async Task the_served_document_is_the_one_checked_in_as_docs_openapi_json()
    {
        var served = await ServedDocumentAsync();
        var file = Path.Combine(RepositoryFiles.Root, "docs", "openapi.json");
        var text = served.ToJsonString(Pretty).ReplaceLineEndings("\n") + "\n";
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
            await File.WriteAllTextAsync(file, text);

        Assert.True(File.Exists(file), $"docs/openapi.json is missing: run this test with {UpdateVariable}=1 to write it.");
        var checkedIn = JsonNode.Parse(await File.ReadAllTextAsync(file));
        Assert.True(JsonNode.DeepEquals(served, checkedIn),
            "The served /openapi/v1.json differs from docs/openapi.json. If the API change is meant, refresh the file with " +
            $"`{UpdateVariable}=1 dotnet test tests/MessagePlatform.IntegrationTests -c Release --filter " +
            "FullyQualifiedName~OpenApiDocumentTests` and commit it with the change.");
    }

    [Fact]
    public async Task every_operation_has_a_unique_camel_case_operation_id()
    {
        var operations = Operations(await ServedDocumentAsync()).ToList();
        Assert.NotEmpty(operations);
        var missing = operations.Where(o => o.Id is null).Select(o => o.Name).ToList();
        Assert.True(missing.Count == 0, "Without an operationId: " + string.Join(", ", missing));
        var repeated = operations.GroupBy(o => o.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, "operationIds used twice: " + string.Join(", ", repeated));
        var notCamel = operations.Where(o => !char.IsLower(o.Id![0]) || o.Id.Any(c => !char.IsAsciiLetterOrDigit(c))).Select(o => o.Id).ToList();
        Assert.True(notCamel.Count == 0, "Not camelCase: " + string.Join(", ", notCamel));
        foreach (var id in new[] { "sendMessage", "retractMessage", "openSession", "syncUser", "createTenant", "readHistory", "listConversations" })
            Assert.Contains(operations, o => o.Id == id);
    }

    [Fact]
    public async Task the_bearer_scheme_is_declared_and_required_by_every_operation_that_takes_a_credential()
    {
        var document = await ServedDocumentAsync();
        var scheme = document["components"]!["securitySchemes"]!["bearer"]!;
        Assert.Equal("http", (string?)scheme["type"]);
        Assert.Equal("bearer", (string?)scheme["scheme"]);
        foreach (var kind in new[] { "admin key", "app key", "auditor key", "user token" })
            Assert.Contains(kind, (string?)scheme["description"]);

        // Every documented operation takes a credential; the open ones (health, this document, /docs,
        // /v1/connect's upgrade) are not in the document at all.
        var withoutBearer = Operations(document)
            .Where(o => o.Operation["security"] is not JsonArray requirements
                        || !requirements.Any(r => r is JsonObject requirement && requirement.ContainsKey("bearer")))
            .Select(o => o.Name).ToList();
        Assert.True(withoutBearer.Count == 0, "Without the bearer requirement: " + string.Join(", ", withoutBearer));
        Assert.False(document["paths"]!.AsObject().ContainsKey("/health/live"));
    }

    [Fact]
    public async Task the_main_flows_carry_request_and_response_examples()
    {
        var operations = Operations(await ServedDocumentAsync()).ToDictionary(o => o.Id!, o => o.Operation);
        foreach (var (id, status) in new[] { ("createTenant", "201"), ("openSession", "201"), ("sendMessage", "201"), ("retractMessage", "200") })
        {
            Assert.NotNull(operations[id]["requestBody"]!["content"]!["application/json"]!["example"]);
            Assert.NotNull(operations[id]["responses"]![status]!["content"]!["application/json"]!["example"]);
        }
        foreach (var id in new[] { "readHistory", "syncUser", "listConversations" })
            Assert.NotNull(operations[id]["responses"]!["200"]!["content"]!["application/json"]!["example"]);
    }

    [Fact]
    public async Task docs_serves_the_browsable_reference_without_a_credential_and_the_root_redirects_to_it()
    {
        using var browser = platform.Host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var root = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Found, root.StatusCode);
        Assert.Equal("/docs", root.Headers.Location?.OriginalString);

        using var following = platform.Host.CreateClient();
        var docs = await following.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal("text/html", docs.Content.Headers.ContentType?.MediaType);
        var page = await docs.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", page);
        // The script is served by the node itself, so the page works offline.
        Assert.Contains("scalar.js", page);
        var script = await following.GetAsync("/docs/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    private async Task<JsonNode> ServedDocumentAsync()
    {
        using var anonymous = platform.Host.CreateClient();
        var response = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private sealed record DocumentedOperation(string Name, string? Id, JsonNode Operation);

    private static IEnumerable<DocumentedOperation> Operations(JsonNode document) =>
        from path in document["paths"]!.AsObject()
        from verb in path.Value!.AsObject()
        where verb.Key is "get" or "put" or "post" or "delete" or "patch" or "head" or "options"
        select new DocumentedOperation($"{verb.Key.ToUpperInvariant()} {path.Key}", (string?)verb.Value!["operationId"], verb.Value!);
}
