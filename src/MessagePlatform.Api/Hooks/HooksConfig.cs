using MessagePlatform.Api.Outbound;

namespace MessagePlatform.Api.Hooks;

public static class HooksConfig
{
    /// <summary>The before-send hook and its outbound client (no redirects, public addresses only, answers capped).</summary>
    public static IHostApplicationBuilder AddHooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<BeforeSendHook>();
        // The longest timeout a hook may set (HooksApi), as a backstop behind each call's own.
        builder.AddOutboundClient(BeforeSendHook.HttpClientName, BeforeSendHook.MaxAnswerBytes, TimeSpan.FromSeconds(10));
        return builder;
    }
}
