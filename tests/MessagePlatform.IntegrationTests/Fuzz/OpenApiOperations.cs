using System.Text.Json;

namespace MessagePlatform.IntegrationTests.Fuzz;

/// <summary>A query parameter of an operation and the schema its value should have.</summary>
public sealed record QueryParameter(string Name, JsonElement Schema);

/// <summary>One operation of the OpenAPI document: what the fuzz and the role matrix are driven by.</summary>
public sealed record Operation(string Method, string Template, string[] PathParameters, QueryParameter[] Query, JsonElement? Body)
{
    public string Name => $"{Method} {Template}";

    public override string ToString() => Name;
}

/// <summary>Reads the operations of the document the node serves at /openapi/v1.json, with `$ref`s resolved.</summary>
public sealed class OpenApiOperations(JsonElement document)
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    public IReadOnlyList<Operation> All { get; } = Read(document);

    public static async Task<OpenApiOperations> FetchAsync(HttpClient client) =>
        new(JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement.Clone());

    /// <summary>The schema a `$ref` names, or the schema itself.</summary>
    public JsonElement Resolve(JsonElement schema) => Resolve(document, schema);

    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        for (var hops = 0; hops < 16 && schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference); hops++)
        {
            var target = document;
            foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/')) target = target.GetProperty(part);
            schema = target;
        }
        return schema;
    }

    private static List<Operation> Read(JsonElement document)
    {
        var operations = new List<Operation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        foreach (var method in path.Value.EnumerateObject().Where(m => Methods.Contains(m.Name)))
        {
            var parameters = method.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToArray() : [];
            var pathParameters = parameters.Where(x => x.GetProperty("in").GetString() == "path")
                .Select(x => x.GetProperty("name").GetString()!).ToArray();
            var query = parameters.Where(x => x.GetProperty("in").GetString() == "query")
                .Select(x => new QueryParameter(x.GetProperty("name").GetString()!,
                    x.TryGetProperty("schema", out var s) ? Resolve(document, s) : default)).ToArray();
            JsonElement? body = method.Value.TryGetProperty("requestBody", out var b)
                && b.GetProperty("content").TryGetProperty("application/json", out var json)
                ? Resolve(document, json.GetProperty("schema")) : null;
            operations.Add(new Operation(method.Name.ToUpperInvariant(), path.Name, pathParameters, query, body));
        }
        return operations;
    }
}
