namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// MQTTnet keys sessions and takeovers by client id, in one namespace. Ours are scoped by tenant and
/// user, so a predictable id is nobody else's to squat or take over: only the same user's next
/// connection with the same id replaces the previous one. Length prefixes keep the parts apart
/// whatever characters the ids hold.
/// </summary>
public static class MqttClientIds
{
    public static string Scoped(string tenantId, string userId, string clientId) =>
        $"{tenantId.Length}:{tenantId}/{userId.Length}:{userId}/{clientId}";

    public static bool Belongs(string scopedId, string tenantId, string userId) =>
        scopedId.StartsWith(Scoped(tenantId, userId, ""), StringComparison.Ordinal);
}
