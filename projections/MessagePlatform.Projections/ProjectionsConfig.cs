using JasperFx.Events.Projections;
using Marten;
using MessagePlatform.Domain;
using MessagePlatform.Projections.SessionChain;
using MessagePlatform.Projections.Sessions;
using MessagePlatform.Projections.UserChain;

namespace MessagePlatform.Projections;

public static class ProjectionsConfig
{
    /// <summary>Registers the event types and the projections that derive read models from them.</summary>
    public static void AddMessagePlatformProjections(this StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(SessionOpened), typeof(MembersJoined), typeof(MemberLeft), typeof(DiffusionSwitched),
            typeof(SessionClosed), typeof(MessageSent), typeof(MessageRetracted),
        ]);
        options.Schema.For<Session>().MultiTenanted();
        options.Projections.Add(new SessionProjection(), ProjectionLifecycle.Inline);
        options.Projections.Add(new SessionChainProjection(), ProjectionLifecycle.Inline);
        options.Projections.Add(new UserChainProjection(), ProjectionLifecycle.Async);
        // A timeline projection that skipped an event would silently lose a message: stop instead.
        options.Projections.Errors.SkipApplyErrors = false;
        options.Projections.RebuildErrors.SkipApplyErrors = false;
    }
}
