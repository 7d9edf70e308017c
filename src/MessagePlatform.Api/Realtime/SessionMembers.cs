using Marten;
using MessagePlatform.Contracts;
using MessagePlatform.Domain;
using Microsoft.Extensions.Caching.Memory;

namespace MessagePlatform.Api.Realtime;

/// <summary>
/// Fan-out's memory of each session's recipients, kept from the membership changes the publisher
/// sends in order with the messages. A session fan-out has not met yet is read once from its
/// stored document. Entries expire: the fan-out queue can move to another node and back, and a
/// node that was not consuming meanwhile must not keep what it missed for long.
/// </summary>
public sealed class SessionMembers(IDocumentStore store) : IDisposable
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromSeconds(30);
    private readonly MemoryCache _known = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <returns>null when the session is not stored (any more).</returns>
    public async ValueTask<SessionRecipients?> OfAsync(SessionEventsPublished batch, CancellationToken ct)
    {
        var key = (batch.TenantId, batch.SessionId);
        if (_known.TryGetValue(key, out SessionRecipients? known)) return known;
        // A batch that opens the session (or restarts it from a snapshot) needs no read.
        var recipients = batch.Changes is [MembersReset reset, ..] ? SessionRecipients.From(reset) : await LoadAsync(batch, ct);
        if (recipients is not null)
            _known.Set(key, recipients, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = KeptFor });
        return recipients;
    }

    /// <summary>A closed session gets no more messages: forget it.</summary>
    public void Forget(SessionEventsPublished batch) => _known.Remove((batch.TenantId, batch.SessionId));

    private async Task<SessionRecipients?> LoadAsync(SessionEventsPublished batch, CancellationToken ct)
    {
        await using var query = store.QuerySession(batch.TenantId);
        var stored = await query.LoadAsync<Session>(batch.SessionId, ct);
        return stored is null ? null : SessionRecipients.From(stored);
    }

    public void Dispose() => _known.Dispose();
}
