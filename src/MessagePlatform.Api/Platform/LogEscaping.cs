using System.Buffers;
using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// Escapes control and bidi characters in every property of a log event, so user input (ids, reasons,
/// paths) can neither start a forged log line nor reorder what a reader sees. The console template
/// renders strings literally (":l"), which would otherwise pass a newline straight through.
/// </summary>
public sealed class LogEscaping : ILogEventEnricher
{
    public const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}";

    // C0, DEL, C1, line and paragraph separators, and the bidi embeddings, overrides and isolates.
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), '\u007F', .. Enumerable.Range(0x80, 0x20).Select(c => (char)c),
         '\u2028', '\u2029', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069']);

    /// <summary>What the host's console sink writes with, so a test renders exactly the same.</summary>
    public static ITextFormatter ConsoleFormatter() => new MessageTemplateTextFormatter(ConsoleTemplate, CultureInfo.InvariantCulture);

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties.ToList())
            if (Escaped(value) is { } escaped) logEvent.AddOrUpdateProperty(new LogEventProperty(name, escaped));
    }

    /// <summary>The text with each unsafe character as \n, \r, \t or \uXXXX; the same instance when there is none.</summary>
    public static string Escape(string text)
    {
        var first = text.AsSpan().IndexOfAny(Unsafe);
        if (first < 0) return text;
        var escaped = new StringBuilder(text.Length + 8).Append(text, 0, first);
        foreach (var c in text.AsSpan(first))
            escaped.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when Unsafe.Contains(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        return escaped.ToString();
    }

    /// <summary>The value with its strings escaped, or null when nothing in it needed escaping.</summary>
    private static LogEventPropertyValue? Escaped(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string s } => Escape(s) is var e && !ReferenceEquals(e, s) ? new ScalarValue(e) : null,
        // Anything else rendered through ToString (a Uri, a PathString) can carry input too.
        ScalarValue { Value: { } other } when other is not (IFormattable or bool) && other.ToString() is { } s
            => Escape(s) is var e && !ReferenceEquals(e, s) ? new ScalarValue(e) : null,
        SequenceValue seq => seq.Elements.Select(Escaped).Any(e => e is not null)
            ? new SequenceValue(seq.Elements.Select(e => Escaped(e) ?? e)) : null,
        StructureValue st => st.Properties.Select(p => Escaped(p.Value)).Any(e => e is not null)
            ? new StructureValue(st.Properties.Select(p => new LogEventProperty(p.Name, Escaped(p.Value) ?? p.Value)), st.TypeTag) : null,
        DictionaryValue dict => dict.Elements.Any(kv => Escaped(kv.Key) is not null || Escaped(kv.Value) is not null)
            ? new DictionaryValue(dict.Elements.Select(kv => KeyValuePair.Create((ScalarValue)(Escaped(kv.Key) ?? kv.Key), Escaped(kv.Value) ?? kv.Value)))
            : null,
        _ => null,
    };
}
