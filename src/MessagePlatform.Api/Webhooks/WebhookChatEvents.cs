using JasperFx.Events;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Webhooks;

/// <summary>
/// The webhook events of everyday chat and of membership (API.md "Everyday chat"): each with the
/// fields a receiver needs to apply it without asking back; `seq` is the event's own place in the
/// session stream, `msgSeq` (where there is one) the seq of the message it is about.
/// </summary>
public static class WebhookChatEvents
{
    public static readonly string[] Types =
    [
        "message.edited", "reaction.added", "reaction.removed", "message.pinned", "message.unpinned", "conversation.read",
        "session.opened", "members.joined", "member.left",
    ];

    public static (string Type, object Body)? Describe(IEvent e) => e.Data switch
    {
        MessageEdited m => ("message.edited", new
        {
            type = "message.edited", msgId = m.MsgId.ToString(), seq = e.Version, msgSeq = m.Seq, by = m.By, body = m.Body,
            asAdmin = m.AsAdmin, editedAt = m.EditedAt,
        }),
        ReactionAdded r => ("reaction.added", new
        {
            type = "reaction.added", msgId = r.MsgId.ToString(), seq = e.Version, msgSeq = r.Seq, reaction = r.Reaction, by = r.By, at = r.At,
        }),
        ReactionRemoved r => ("reaction.removed", new
        {
            type = "reaction.removed", msgId = r.MsgId.ToString(), seq = e.Version, msgSeq = r.Seq, reaction = r.Reaction, by = r.By, at = r.At,
        }),
        MessagePinned p => ("message.pinned", new
        {
            type = "message.pinned", msgId = p.MsgId.ToString(), seq = e.Version, msgSeq = p.Seq, by = p.By, at = p.At,
        }),
        MessageUnpinned u => ("message.unpinned", new { type = "message.unpinned", msgId = u.MsgId.ToString(), seq = e.Version, by = u.By, at = u.At }),
        ConversationRead r => ("conversation.read", new { type = "conversation.read", seq = e.Version, userId = r.UserId, readSeq = r.Seq, at = r.At }),
        SessionOpened o => ("session.opened", new
        {
            type = "session.opened", seq = e.Version, sessionType = Wire(o.Type), members = o.Members, openedAt = o.OpenedAt,
        }),
        MembersJoined j => ("members.joined", new { type = "members.joined", seq = e.Version, userIds = j.UserIds, joinedAt = j.JoinedAt }),
        MemberLeft l => ("member.left", new { type = "member.left", seq = e.Version, userId = l.UserId, leftAt = l.LeftAt }),
        _ => null,
    };

    private static string Wire(SessionType type) => type switch
    {
        SessionType.C2c => "c2c",
        SessionType.Group => "group",
        _ => "room",
    };
}
