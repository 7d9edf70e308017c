using MessagePlatform.Api.Access;
using MessagePlatform.Api.Realtime.Gateway;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// CONNECT: a user token whose user is the username and that is not revoked, a free place among the
/// user's connections on this node, and a client id scoped to that user from here on. The caller is
/// kept on the connection (<see cref="DoorChannel"/>), never taken from a session that outlived one.
/// </summary>
public sealed class MqttSignIn(UserTokens tokens, TokenRevocations revocations, UserConnectionQuota quota, ILogger<MqttSignIn> log)
{
    public const string DoorItem = "mp.door";

    public Task ValidateAsync(ValidatingConnectionEventArgs e)
    {
        // Every connection comes through one of our doors; anything else is refused.
        if (e.ChannelAdapter is not DoorChannel door || door.Connect is not { } connect)
        {
            e.ReasonCode = MqttConnectReasonCode.UnspecifiedError;
            return Task.CompletedTask;
        }
        if (!tokens.TryRead(e.Password ?? "", out var tenantId, out var userId, out var issuedAt) || userId != e.UserName
            || revocations.IsRevoked(tenantId, userId, issuedAt))
        {
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            log.LogInformation("MQTT client {ClientId} refused: bad, expired or revoked token for {UserId}", e.ClientId, e.UserName);
            return Task.CompletedTask;
        }
        if (quota.TryTake(tenantId, userId) is not { } slot)
        {
            // MQTT 3.1.1 has no quota code: "server unavailable" is the nearest it has.
            e.ReasonCode = e.ProtocolVersion == MQTTnet.Formatter.MqttProtocolVersion.V500
                ? MqttConnectReasonCode.QuotaExceeded : MqttConnectReasonCode.ServerUnavailable;
            e.ReasonString = "Too many connections of this user on this node.";
            log.LogInformation("MQTT client of {UserId} of {TenantId} refused: connections per user reached", userId, tenantId);
            return Task.CompletedTask;
        }
        var visible = connect.ClientId;
        if (string.IsNullOrEmpty(visible)) e.AssignedClientIdentifier = visible = $"mp-{Guid.NewGuid():N}";
        // MQTTnet reads the client id from the packet after this handler: from here on it is scoped to this user.
        connect.ClientId = MqttClientIds.Scoped(tenantId, userId, visible);
        var user = new Caller(tenantId, Roles.User, userId);
        door.Authenticated(user, issuedAt, slot);
        e.SessionItems[DoorItem] = door;
        return Task.CompletedTask;
    }
}
