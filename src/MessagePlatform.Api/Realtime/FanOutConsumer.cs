using MassTransit;
using MessagePlatform.Contracts;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Realtime;

/// <summary>
/// Fan-out (the seeds' push aggregation): for each session's batch, walks its changes in order,
/// keeping the members current, finds in the connection registry (one query for the whole batch)
/// the gateway nodes that hold the recipients, and sends each node one batch of its share.
/// Partitioned by session (see <see cref="RealtimeConfig"/>): sessions run in parallel, each in order.
/// </summary>
public sealed class FanOutConsumer(
    ConnectionRegistry registry, SessionMembers members, ReactionWindow reactions, IOptions<RealtimeOptions> options, Platform.PlatformMeters meters)
    : IConsumer<SessionEventsPublished>, IConsumer<BroadcastPublished>
{
    /// <summary>A broadcast may reach anyone online: every live node gets it and picks its own targets.</summary>
    public async Task Consume(ConsumeContext<BroadcastPublished> context)
    {
        var nodes = await registry.LiveNodesAsync(context.CancellationToken);
        await Task.WhenAll(nodes.Select(async node =>
        {
            var endpoint = await context.GetSendEndpoint(RealtimeConfig.NodeQueueAddress(node));
            await endpoint.Send(new BroadcastPush(node, context.Message), context.CancellationToken);
        }));
    }

    public async Task Consume(ConsumeContext<SessionEventsPublished> context)
    {
        var batch = context.Message;
        var ct = context.CancellationToken;
        var recipients = await members.OfAsync(batch, ct);
        if (recipients is null) return;
        var pushes = new List<SessionPush>();
        foreach (var change in batch.Changes)
        {
            recipients.Apply(change);
            switch (change)
            {
                case MessageStored m: pushes.Add(new MessagePush(recipients.At(m.Seq), m)); break;
                case RetractionStored r: pushes.Add(new RetractionPush(recipients.At(r.Seq), r)); break;
                // A hot session's reactions are counted over a window and pushed as totals (ReactionCountsFlush).
                case ReactionStored r when Hot(recipients):
                    reactions.Add(batch.TenantId, batch.SessionId, recipients.Room, recipients.At(r.Seq), r);
                    break;
                // Receipts are for c2c and groups; in a hot group every member's mark to every member would dwarf its messages.
                case ReadStored when Hot(recipients): break;
                case EditStored or ReactionStored or PinStored or UnpinStored or ReadStored:
                    pushes.Add(new ChatPush(recipients.At(change.Seq), change));
                    break;
            }
        }
        if (recipients.Ended) members.Forget(batch);
        if (pushes.Count == 0) return;

        var perNode = recipients.Room
            ? (await registry.LiveNodesAsync(ct)).ToDictionary(node => node, _ => pushes)
            : ShareOf(await registry.NodesOfAsync(batch.TenantId, [.. pushes.SelectMany(p => p.UserIds).Distinct()], ct), pushes);
        await Task.WhenAll(perNode.Select(async share =>
        {
            var endpoint = await context.GetSendEndpoint(RealtimeConfig.NodeQueueAddress(share.Key));
            meters.FanOutBatch(share.Value.Sum(p => p.UserIds.Length));
            await endpoint.Send(new SessionPushes(share.Key, batch.TenantId, batch.SessionId, recipients.Room, share.Value)
            {
                CommittedAt = batch.CommittedAt,
            }, ct);
        }));
    }

    private bool Hot(SessionRecipients recipients) =>
        recipients.Room || recipients.Count > options.Value.ReactionCountsAboveMembers;

    /// <summary>Each node's pushes, naming only the users it holds; a push none of them receives is left out.</summary>
    internal static Dictionary<int, List<SessionPush>> ShareOf(Dictionary<int, string[]> nodes, List<SessionPush> pushes) =>
        nodes.ToDictionary(n => n.Key, n =>
        {
            var here = n.Value.ToHashSet();
            return pushes.Select(p => p with { UserIds = [.. p.UserIds.Where(here.Contains)] }).Where(p => p.UserIds.Length > 0).ToList();
        }).Where(n => n.Value.Count > 0).ToDictionary();
}
