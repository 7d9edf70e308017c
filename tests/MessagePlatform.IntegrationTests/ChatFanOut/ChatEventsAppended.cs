using System.Text.Json;
using Marten;
using MessagePlatform.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace MessagePlatform.IntegrationTests.ChatFanOut;

/// <summary>
/// Appends everyday-chat events straight to a session stream, as the edit, reaction, pin and read
/// endpoints would: the fan-out paths are tested apart from those doors. With an explicit expected
/// version, as the write path appends, so the inline projections know each event's seq.
/// </summary>
internal static class ChatEventsAppended
{
    public static readonly DateTimeOffset At = DateTimeOffset.UtcNow;

    public static JsonElement Body(string text) => JsonSerializer.SerializeToElement(new { text });

    public static async Task<long> AppendAsync(IServiceProvider services, string tenantId, string sessionId, params object[] events)
    {
        await using var session = services.GetRequiredService<IDocumentStore>().LightweightSession(tenantId);
        var state = await session.Events.FetchStreamStateAsync(sessionId) ?? throw new InvalidOperationException($"No session {sessionId}.");
        session.Events.Append(sessionId, state.Version + events.Length, events);
        await session.SaveChangesAsync();
        return state.Version + events.Length;
    }

    /// <summary>An edit, a reaction put on and one taken off, a pin, an unpin and bob's read mark, on message (msgId, seq).</summary>
    public static object[] OneOfEach(long msgId, long seq) =>
    [
        new MessageEdited(msgId, seq, "ann", Body("hi, edited"), false, At),
        new ReactionAdded(msgId, seq, "👍", "bob", At),
        new ReactionRemoved(msgId, seq, "👍", "bob", At),
        new MessagePinned(msgId, seq, "ann", At),
        new MessageUnpinned(msgId, "ann", At),
        new ConversationRead("bob", seq, At),
    ];
}
