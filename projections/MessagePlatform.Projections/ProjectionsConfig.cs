using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using MessagePlatform.Domain;
using MessagePlatform.Projections.SessionChain;
using MessagePlatform.Projections.Sessions;
using MessagePlatform.Projections.UserChain;

namespace MessagePlatform.Projections;

public static class ProjectionsConfig
{
    /// <summary>What an erased message's body becomes, in the events and in every read model.</summary>
    public static readonly System.Text.Json.JsonElement ErasedBody = System.Text.Json.JsonDocument.Parse("null").RootElement;

    /// <summary>Registers the event types and the projections that derive read models from them.</summary>
    public static void AddMessagePlatformProjections(this StoreOptions options, HistoryOnJoinLimits? historyOnJoin = null,
        ReadItemLimits? readItems = null)
    {
        options.Events.AddEventTypes([
            typeof(SessionOpened), typeof(MembersJoined), typeof(MemberLeft), typeof(DiffusionSwitched),
            typeof(SessionClosed), typeof(MessageSent), typeof(MessageRetracted),
            typeof(LegalHoldPlaced), typeof(LegalHoldLifted), typeof(Compacted<Session>), typeof(UserTagsChanged),
            typeof(UserWentOnline), typeof(UserWentOffline), typeof(BroadcastSent), typeof(Compacted<Broadcasts.BroadcastLog>),
        ]);
        // Everyday chat (v1.1).
        options.Events.AddEventTypes([
            typeof(MessageEdited), typeof(ReactionAdded), typeof(ReactionRemoved), typeof(MessagePinned), typeof(MessageUnpinned),
            typeof(ConversationRead), typeof(ConversationSettingsChanged),
        ]);
        // Erasure rewrites a user's stored messages with this rule (Advanced.ApplyEventDataMasking).
        options.Events.AddMaskingRuleForProtectedInformation<MessageSent>(m => m with { Body = ErasedBody });
        options.Events.AddMaskingRuleForProtectedInformation<MessageEdited>(m => m with { Body = ErasedBody });
        options.Schema.For<Session>().MultiTenanted();
        options.Projections.Add(new SessionProjection(), ProjectionLifecycle.Inline);
        options.Projections.Add(new SessionChainProjection(), ProjectionLifecycle.Inline);
        options.Projections.Add(new Conversations.ReadMarksProjection(), ProjectionLifecycle.Inline);
        options.Projections.Add(new MessageReactionsProjection(), ProjectionLifecycle.Inline);
        options.Projections.Add(new SessionPinsProjection(), ProjectionLifecycle.Inline);
        options.Projections.Add(new ChatItemsProjection(), ProjectionLifecycle.Inline);
        options.Schema.For<Broadcasts.BroadcastLog>().MultiTenanted();
        options.Projections.Add(new Broadcasts.BroadcastLogProjection(), ProjectionLifecycle.Inline);
        options.Projections.Add(new UserChainProjection(historyOnJoin, readItems), ProjectionLifecycle.Async);
        // A timeline projection that skipped an event would silently lose a message: stop instead.
        options.Projections.Errors.SkipApplyErrors = false;
        options.Projections.RebuildErrors.SkipApplyErrors = false;
    }
}
