using Serilog.Formatting;
using Serilog.Formatting.Compact;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// `MP_LOG_FORMAT=json`: one JSON object per line (Serilog's compact format: `@t`, `@mt`, `@l`, `@tr`,
/// `@sp` and the properties), for a log shipper; anything else: the readable text of development.
/// </summary>
public static class LogFormat
{
    public const string Variable = "MP_LOG_FORMAT";

    public static ITextFormatter Of(IConfiguration config) =>
        string.Equals(config[Variable], "json", StringComparison.OrdinalIgnoreCase)
            ? new CompactJsonFormatter()
            : LogEscaping.ConsoleFormatter();
}
