using System.Text.RegularExpressions;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// Ids in request paths, checked before any handler reads the store with them: a NUL or a
/// newline in a session id would otherwise reach PostgreSQL (a 500) or a log line. One rule per
/// route parameter name, so every endpoint that takes a `sessionId` obeys the same one.
/// </summary>
public static partial class PathIds
{
    // Opaque ids of our own making (deliveries, erasures, keys): letters, digits and - _ . only.
    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,128}\z")]
    private static partial Regex OpaqueIdPattern();

    [GeneratedRegex(@"^[0-9]{1,19}\z")]
    private static partial Regex MsgIdPattern();

    private static readonly Dictionary<string, (Func<string, bool> IsValid, string Rule)> Rules = new()
    {
        ["sessionId"] = (v => SendRules.SessionIdPattern().IsMatch(v), "^[A-Za-z0-9:_.-]{1,128}$"),
        ["userId"] = (v => SendRules.UserIdPattern().IsMatch(v), SendRules.UserIdRule),
        ["tenantId"] = (v => TenantIds.IsValid(v), TenantIds.Rule),
        ["msgId"] = (v => MsgIdPattern().IsMatch(v) && long.TryParse(v, out _), "a message id: a decimal 64-bit integer"),
        ["deliveryId"] = (v => OpaqueIdPattern().IsMatch(v), "^[A-Za-z0-9_.-]{1,128}$"),
        ["erasureId"] = (v => OpaqueIdPattern().IsMatch(v), "^[A-Za-z0-9_.-]{1,128}$"),
        ["keyId"] = (v => OpaqueIdPattern().IsMatch(v), "^[A-Za-z0-9_.-]{1,128}$"),
    };

    /// <summary>Field errors of the current request's route values; empty when all are well-formed.</summary>
    public static Dictionary<string, string[]> Errors(RouteValueDictionary values)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, value) in values)
        {
            if (value is not string text) continue;
            if (Rules.TryGetValue(name, out var rule))
            {
                if (!rule.IsValid(text)) errors[name] = [$"must match {rule.Rule}"];
            }
            // Route values we have no rule for (a reaction, a tag) still reach the store or a log.
            else if (!StorableText.IsStorable(text) || text.Any(char.IsControl)) errors[name] = ["must not hold control characters"];
        }
        return errors;
    }

    /// <summary>After authorization, so an anonymous caller learns nothing from a 400 that a 401 would not tell.</summary>
    public static IApplicationBuilder UsePathIdRules(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var errors = Errors(http.Request.RouteValues);
        if (errors.Count == 0)
        {
            await next(http);
            return;
        }
        await TypedResults.ValidationProblem(errors, title: "Invalid path").ExecuteAsync(http);
    });
}

/// <summary>The tenant id rule of API.md, shared by tenant creation and paths.</summary>
public static partial class TenantIds
{
    public const string Rule = "^[a-z0-9][a-z0-9-]{1,62}$";

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{1,62}\z")]
    private static partial Regex Pattern();

    public static bool IsValid(string tenantId) => Pattern().IsMatch(tenantId);
}
