using MessagePlatform.Api.Access;
using MessagePlatform.Api.Broadcasts;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>What a SUBSCRIBE asked for and whether it is granted; <see cref="RoomId"/> when it joins a room.</summary>
public sealed record SubscribeVerdict(bool Granted, string? Refusal = null, string? RoomId = null)
{
    public static readonly SubscribeVerdict Yes = new(true);
    public static SubscribeVerdict No(string why) => new(false, why);
}

/// <summary>
/// Who may read which topic, decided at SUBSCRIBE from the same state the REST API uses: a user's
/// own `single/`, sessions it belongs to (any room), `global`, and tags it holds now.
/// </summary>
public sealed class TopicRules(SessionStreams streams, UserTags tags)
{
    public async Task<SubscribeVerdict> MaySubscribeAsync(Caller user, string filter, CancellationToken ct)
    {
        var topic = MqttTopic.Parse(filter);
        switch (topic.Kind)
        {
            case TopicKind.Single:
                return topic.Value == user.UserId ? SubscribeVerdict.Yes : SubscribeVerdict.No("Only your own single/ topic.");
            case TopicKind.Global:
                return SubscribeVerdict.Yes;
            case TopicKind.Group:
                var (session, _) = await streams.LoadAsync(user.TenantId, topic.Value, ct);
                if (session is null || !session.Admits(user.UserId!)) return SubscribeVerdict.No("Not a session you belong to.");
                return session.Type == SessionType.Room ? new SubscribeVerdict(true, RoomId: session.Id) : SubscribeVerdict.Yes;
            case TopicKind.Tag:
                var held = await tags.HeldAsync(user.TenantId, user.UserId!, ct);
                return held.Contains(topic.Value) ? SubscribeVerdict.Yes : SubscribeVerdict.No("Not a tag you hold.");
            default:
                return SubscribeVerdict.No("Subscribe to single/{userId}, group/{sessionId}, global or business/tag_{tag}, without wildcards.");
        }
    }
}
