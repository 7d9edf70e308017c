using MessagePlatform.Api.Tenants;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Sessions;

/// <summary>Turns session requests into commands, or into the field errors that refuse them.</summary>
public static class SessionRequests
{
    public const int MaxMembersPerRequest = 10_000;

    public static (OpenSession? Command, Dictionary<string, string[]> Errors) ToOpen(OpenSessionRequest request, Tenant tenant)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Type is null) errors["type"] = ["must be 'c2c', 'group' or 'room'"];
        if (request.SessionId is not null && !SendRules.SessionIdPattern().IsMatch(request.SessionId))
            errors["sessionId"] = ["must match ^[A-Za-z0-9:_.-]{1,128}$"];
        foreach (var (field, messages) in ValidateUserIds(request.Members ?? [], "members", min: 0)) errors[field] = messages;
        var members = (request.Members ?? []).Distinct(StringComparer.Ordinal).ToArray();
        if (request.Type == SessionType.C2c && members.Length != 2)
            errors["members"] = ["a c2c session takes exactly two different members"];
        var (policy, policyErrors) = SessionPolicy.Merge(tenant.DefaultPolicy, request.Policy?.Retention,
            request.Policy?.OnClose, request.Policy?.RecallWindowSeconds, request.Policy?.HistoryOnJoin,
            request.Policy?.EditWindowSeconds);
        foreach (var (field, messages) in policyErrors) errors[field] = messages;
        if (errors.Count > 0) return (null, errors);

        var type = request.Type!.Value;
        var id = request.SessionId ?? type switch
        {
            SessionType.C2c => SessionRules.C2cId(members[0], members[1]),
            _ => $"{(type == SessionType.Room ? "room" : "group")}-{Guid.CreateVersion7():N}",
        };
        return (new OpenSession(id, type, members, policy, tenant.WriteDiffusionThreshold), errors);
    }

    public static Dictionary<string, string[]> ValidateUserIds(string[]? userIds, string field, int min)
    {
        var errors = new Dictionary<string, string[]>();
        if (userIds is null || userIds.Length < min || userIds.Length > MaxMembersPerRequest)
            errors[field] = [$"must list {min} to {MaxMembersPerRequest} user ids"];
        else if (userIds.Any(u => u is null || !SendRules.UserIdPattern().IsMatch(u)))
            errors[field] = [$"every user id must match {SendRules.UserIdRule}"];
        return errors;
    }
}
