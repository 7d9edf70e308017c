using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.FileProviders;

namespace MessagePlatform.Api.Demo;

/// <summary>
/// The web chat demo (issue 16): in Development only, and only when <c>Demo:Enabled</c>, the host
/// creates a playground tenant, serves the built page at /chat/ and mints its users' tokens
/// (DemoApi). Anywhere else nothing of it is registered or mapped, so every path of it is a 404.
/// </summary>
public static class DemoChat
{
    public const string PagePath = "/chat";

    public static IHostApplicationBuilder AddDemoChat(this IHostApplicationBuilder builder)
    {
        if (DemoOptions.ActiveIn(builder.Configuration, builder.Environment) is not { } options) return builder;
        builder.Services.AddSingleton(options);
        builder.Services.AddHostedService<DemoTenant>();
        return builder;
    }

    public static WebApplication MapDemoChat(this WebApplication app)
    {
        // Asked of the container, not of configuration again: mapped exactly when AddDemoChat registered it.
        if (app.Services.GetService<DemoOptions>() is not { } options || !app.Environment.IsDevelopment()) return app;
        app.UseFileServer(new FileServerOptions
        {
            RequestPath = PagePath,
            FileProvider = new PhysicalFileProvider(options.WebChatPath!),
            EnableDefaultFiles = true,
        });
        app.MapDemoApi();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var log = app.Services.GetRequiredService<ILogger<DemoOptions>>();
            foreach (var address in addresses) log.LogInformation("Web chat: {Url}", $"{address.TrimEnd('/')}{PagePath}/");
        });
        return app;
    }
}
