using System.Text;
using CsCheck;

namespace MessagePlatform.IntegrationTests.Fuzz;

/// <summary>
/// The values a hostile or careless client sends: unicode edges, numbers past every range, sizes
/// at both ends. Strings are C# strings (they may hold lone surrogates); <see cref="JsonText"/>
/// writes them into JSON text with escapes, so a lone surrogate reaches the server as `\ud800`.
/// </summary>
public static class HostileValues
{
    public static readonly string[] UnicodeEdges =
    [
        "", " ", "\u0000", "a\u0000b", "\ud800", "x\udc00", "\udc00\ud800", "\u202e", "abc\u202edef", "\u200b", "\u200d\u200c\ufeff",
        "e\u0301\u0302\u0303\u0304\u0305\u0306", "😀", "👩‍👩‍👧‍👦", "\U0001F600\U0001F4A9", "\n", "a\r\nb", "\t", "\u0085", "\u2028", "\u007f",
        "\u0001", "%00", "%", "../../etc/passwd", "a/b", "a?b=c", "a#b", "'; drop table x; --", "$audit-access", "null", "true", "{}",
        "\uffff", "\ufffe", "Ａｎｎ", "ann ", " ann", "ANN", "ann\u0000", new string('a', 129), new string('a', 1025),
    ];

    public static readonly string[] NumberTexts =
    [
        "0", "-0", "1", "-1", "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "1e309", "-1e309", "1e-400", "1.5", "0x10", "NaN", "Infinity", "-Infinity",
        "1e2", "00", "+1", " 1", "1 ", "", "١٢٣", "99999999999999999999999999999999999999",
    ];

    public static readonly string[] Dates =
    [
        "2026-12-02T07:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-13-45T99:99:99Z", "yesterday", "",
        "+275760-09-13T00:00:00Z", "-000001-01-01T00:00:00Z", "2026-12-02", "1e309", "2026-12-02T07:00:00.123456789+14:00",
    ];

    private static readonly Gen<string> RandomText = Gen.String[Gen.Char, 0, 40];

    /// <summary>Edge strings, random ones, an edge glued to a plausible value, and very large ones.</summary>
    public static Gen<string> String(IReadOnlyList<string> plausible) => Gens.Weighted(
        (4, Gen.OneOf([.. plausible])),
        (3, Gen.OneOf(UnicodeEdges)),
        (2, RandomText),
        (1, Gen.Select(Gen.OneOf([.. plausible]), Gen.OneOf(UnicodeEdges), (p, e) => p + e)),
        (1, Gen.Select(Gen.Int[1, 300_000], Gen.OneOf("a", "😀", "\u0301", "\u202e"), (n, s) => string.Concat(Enumerable.Repeat(s, n / s.Length)))));

    public static Gen<string> Number(IReadOnlyList<string> plausible) => Gens.Weighted(
        (3, Gen.OneOf(NumberTexts)),
        (2, Gen.OneOf([.. plausible, "1"])),
        (1, Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.OneOf(UnicodeEdges)));

    /// <summary>A JSON string literal for <paramref name="text"/>, escaping what JSON text cannot hold raw.</summary>
    public static string JsonText(string text)
    {
        var json = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                default:
                    if (c < 0x20 || char.IsSurrogate(c) || c is '\u2028' or '\u2029') json.Append($"\\u{(int)c:x4}");
                    else json.Append(c);
                    break;
            }
        }
        return json.Append('"').ToString();
    }

    /// <summary>
    /// A path segment: percent-encoded, except lone surrogates, which go as invalid UTF-8 bytes. A NUL
    /// goes as U+0001: the in-process test server refuses to build a request whose path holds one
    /// (Kestrel answers it 400 before routing).
    /// </summary>
    public static string PathSegment(string text)
    {
        var segment = new StringBuilder();
        foreach (var rune in Split(text.Replace('\0', '\u0001')))
            segment.Append(rune.Length == 1 && char.IsSurrogate(rune[0]) ? "%ED%A0%80" : Uri.EscapeDataString(rune));
        return segment.ToString();
    }

    private static IEnumerable<string> Split(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { yield return text.Substring(i, 2); i++; }
            else yield return text[i].ToString();
        }
    }
}

/// <summary>Choices among generators (CsCheck's own overloads would take a generator for a constant).</summary>
public static class Gens
{
    public static Gen<T> Either<T>(params IGen<T>[] gens) => Gen.OneOf(gens);

    public static Gen<T> Weighted<T>(params (int Weight, IGen<T> Gen)[] gens) => Gen.Frequency(gens);
}
