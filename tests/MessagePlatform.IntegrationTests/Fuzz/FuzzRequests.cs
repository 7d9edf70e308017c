using System.Text;
using System.Text.Json;
using CsCheck;

namespace MessagePlatform.IntegrationTests.Fuzz;

/// <summary>One generated call: which operation, with which credential, to what URL, with what body.</summary>
public sealed record FuzzRequest(string Operation, string Credential, string Method, string Url, string? Body)
{
    public override string ToString() =>
        $"{Method} {Shorten(Url)} as {Credential}{(Body is null ? "" : " body " + Shorten(Body))} [{Operation}]";

    private static string Shorten(string text) => text.Length <= 300 ? text : $"{text[..300]}… ({text.Length} chars)";
}

/// <summary>
/// Requests generated from the operations' schemas: path and query values by parameter name and
/// format, bodies by walking the body schema, each part either plausible (so the call gets deep)
/// or hostile (wrong type, unicode edge, number past its range, huge, empty).
/// </summary>
public sealed class FuzzRequests(OpenApiOperations document, FuzzWorld world)
{
    private const int MaxDepth = 4;

    public Gen<FuzzRequest> For(Operation operation) =>
        Gen.Select(world.CredentialGen, PathGen(operation), QueryGen(operation), BodyGen(operation),
            (credential, path, query, body) => new FuzzRequest(operation.Name, credential, operation.Method, path + query, body));

    public Gen<FuzzRequest> Any => Gens.Either([.. document.All.Select(For)]);

    private Gen<string> PathGen(Operation operation)
    {
        Gen<string> path = Gen.Const<string>(operation.Template);
        foreach (var name in operation.PathParameters)
            path = path.SelectMany(p => HostileValues.String(world.Plausible(name)).Select(v => p.Replace($"{{{name}}}", HostileValues.PathSegment(v))));
        return path;
    }

    private Gen<string> QueryGen(Operation operation)
    {
        Gen<string> query = Gen.Const<string>("");
        foreach (var parameter in operation.Query)
        {
            var value = ValueText(parameter.Name, parameter.Schema);
            query = query.SelectMany(q => Gens.Weighted(
                (2, Gen.Const<string>(q)),
                (3, value.Select(v => $"{q}{(q.Length == 0 ? "?" : "&")}{parameter.Name}={Uri.EscapeDataString(Scrub(v))}")),
                // The same parameter twice, or empty: binders differ on both.
                (1, value.Select(v => $"{q}{(q.Length == 0 ? "?" : "&")}{parameter.Name}=1&{parameter.Name}={Uri.EscapeDataString(Scrub(v))}")),
                (1, Gen.Const<string>($"{q}{(q.Length == 0 ? "?" : "&")}{parameter.Name}="))));
        }
        return query;
    }

    /// <summary>A query value as text, by the parameter's format.</summary>
    private Gen<string> ValueText(string name, JsonElement schema)
    {
        var format = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        return format switch
        {
            "int32" or "int64" => HostileValues.Number(world.Plausible(name)),
            "date-time" => Gen.OneOf(HostileValues.Dates),
            _ when name is "from" or "to" or "asOf" or "before" => Gens.Either(Gen.OneOf(HostileValues.Dates), HostileValues.Number(["1"])),
            _ when name is "limit" or "fromVersion" => HostileValues.Number(world.Plausible(name)),
            _ => HostileValues.String(world.Plausible(name)),
        };
    }

    private Gen<string?> BodyGen(Operation operation)
    {
        if (operation.Body is not { } schema)
            return Gens.Weighted((6, Gen.Const<string?>(() => null)), (1, RawBody.Select(b => (string?)b)));
        return Gens.Weighted(
            (8, Json(schema, "", 0).Select(b => (string?)b)),
            (2, RawBody.Select(b => (string?)b)),
            (1, Gen.Const<string?>(() => null)));
    }

    /// <summary>Bodies that are not what any schema asks: not JSON, the wrong root, nesting past any reader's depth.</summary>
    private static readonly Gen<string> RawBody = Gens.Either(
        Gen.OneOf("", "null", "[]", "{}", "0", "\"x\"", "{", "{\"a\":", "}{", "[1,2", "{\"a\":1,\"a\":2}", "\u0000", "\ufeff{}",
            "{\"a\":\"\\ud800\"}", "{\"a\":1e309}", "{\"a\":NaN}", "{'a':1}", "{\"\\u0000\":1}"),
        Gen.Int[60, 5_000].Select(n => new string('[', n) + new string(']', n)),
        Gen.Int[60, 2_000].Select(n => string.Concat(Enumerable.Repeat("{\"a\":", n)) + "1" + new string('}', n)),
        Gen.String[Gen.Char, 0, 200]);

    /// <summary>JSON text for <paramref name="schema"/>: each property present or not, plausible or hostile, plus the odd stranger.</summary>
    private Gen<string> Json(JsonElement schema, string name, int depth)
    {
        schema = document.Resolve(schema);
        var hostile = AnyJson(name, depth);
        if (depth >= MaxDepth || schema.ValueKind != JsonValueKind.Object) return hostile;
        if (schema.TryGetProperty("oneOf", out var oneOf))
            return Gens.Either([.. oneOf.EnumerateArray().Select(s => Json(s, name, depth))]);
        if (schema.TryGetProperty("enum", out var values))
            return Gens.Weighted((4, Gen.OneOf([.. values.EnumerateArray().Select(v => v.GetRawText())])), (1, hostile));
        var types = Types(schema);
        if (types.Contains("object") && schema.TryGetProperty("properties", out var properties))
        {
            var members = properties.EnumerateObject().Select(p => Member(p.Name, p.Value, depth)).ToList();
            members.Add(Gens.Weighted((6, Gen.Const<string>("")), (1, HostileValues.String(["extra", "__proto__"]).SelectMany(k =>
                AnyJson(k, depth + 1).Select(v => HostileValues.JsonText(k) + ":" + v)))));
            var gen = Gen.Const<List<string>>(new List<string>());
            foreach (var member in members) gen = gen.SelectMany(list => member.Select(m => m.Length == 0 ? list : [.. list, m]));
            return Gens.Weighted((8, gen.Select(list => "{" + string.Join(",", list) + "}")), (1, hostile));
        }
        if (types.Contains("array"))
        {
            var item = schema.TryGetProperty("items", out var items) ? Json(items, name, depth + 1) : hostile;
            return Gens.Weighted(
                (6, item.Array[0, 4].Select(a => "[" + string.Join(",", a) + "]")),
                // Long, but bounded at about 4 MB: a long array of long arrays would square past what a string holds.
                (1, Gen.Int[1_001, 3_000].SelectMany(n => item.Select(one =>
                    "[" + string.Join(",", Enumerable.Repeat(one, Math.Min(n, Math.Max(1, 4_000_000 / Math.Max(1, one.Length))))) + "]"))),
                (1, hostile));
        }
        if (types.Contains("integer") || types.Contains("number"))
            return Gens.Weighted((4, HostileValues.Number(world.Plausible(name))), (1, hostile));
        if (types.Contains("boolean")) return Gens.Weighted((4, Gen.OneOf("true", "false")), (1, hostile));
        if (types.Contains("string"))
            return Gens.Weighted((5, HostileValues.String(world.Plausible(name)).Select(HostileValues.JsonText)), (1, hostile));
        return hostile;
    }

    private Gen<string> Member(string name, JsonElement schema, int depth) => Gens.Weighted(
        (5, Json(schema, name, depth + 1).Select(v => HostileValues.JsonText(name) + ":" + v)),
        (1, Gen.Const<string>(HostileValues.JsonText(name) + ":null")),
        (1, Gen.Const<string>("")));

    /// <summary>Any JSON value at all, of any shape: what a field gets when its schema is ignored.</summary>
    private Gen<string> AnyJson(string name, int depth)
    {
        var scalar = Gens.Either(
            HostileValues.String(world.Plausible(name)).Select(HostileValues.JsonText),
            Gen.OneOf("null", "true", "false", "0", "-0", "1e309", "-1e309", "9223372036854775808", "1.5", "[]", "{}",
                "123456789012345678901234567890", "-9223372036854775809", "1e-400", "0.0000000000000000000000001"));
        if (depth >= MaxDepth) return scalar;
        return Gens.Weighted(
            (6, scalar),
            (1, AnyJson(name, depth + 1).Array[0, 3].Select(a => "[" + string.Join(",", a) + "]")),
            (1, AnyJson(name, depth + 1).Select(v => "{\"x\":" + v + "}")));
    }

    private static HashSet<string> Types(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type)) return ["object"];
        return type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)] : [type.GetString()!];
    }

    /// <summary>Lone surrogates cannot be percent-encoded as UTF-8; a query carries their replacement.</summary>
    private static string Scrub(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
}
