namespace MessagePlatform.Api.Demo;

/// <summary>The web chat demo (section "Demo"): off unless asked for, and only ever in Development.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Enabled { get; set; }

    /// <summary>The built web chat (clients/web-chat/dist), served at /chat/.</summary>
    public string? WebChatPath { get; set; }

    /// <summary>The playground tenant every demo user belongs to.</summary>
    public string TenantId { get; set; } = "demo";

    /// <summary>Whether this host serves the demo: Development, enabled, and a built page to serve.</summary>
    public static DemoOptions? ActiveIn(IConfiguration config, IHostEnvironment env)
    {
        if (!env.IsDevelopment()) return null;
        var options = config.GetSection(Section).Get<DemoOptions>() ?? new DemoOptions();
        if (!options.Enabled) return null;
        if (string.IsNullOrWhiteSpace(options.WebChatPath) || !File.Exists(Path.Combine(options.WebChatPath, "index.html")))
            throw new InvalidOperationException(
                $"Demo:WebChatPath must name the built web chat (a folder with index.html; npm run build in clients/web-chat), not '{options.WebChatPath}'.");
        if (!Platform.TenantIds.IsValid(options.TenantId))
            throw new InvalidOperationException($"Demo:TenantId must match {Platform.TenantIds.Rule}.");
        options.WebChatPath = Path.GetFullPath(options.WebChatPath);
        return options;
    }
}
