using System.Globalization;
using System.Text.Json;

namespace MessagePlatform.Domain;

/// <summary>
/// What PostgreSQL's text and jsonb can hold: JSON accepts a NUL (\u0000), a lone surrogate and
/// 1e200000, PostgreSQL refuses all three, and a refusal at commit would fail every command
/// committed with it. So each is refused at the door, for its own request alone.
/// </summary>
public static class StorableText
{
    public const string Rule = "must be Unicode text without NUL characters or unpaired surrogates";
    public const string JsonRule = "must hold Unicode text without NUL characters or unpaired surrogates, and finite numbers of at most 1e308";

    /// <summary>Whether <paramref name="text"/> can be stored as text: no NUL, every surrogate paired.</summary>
    public static bool IsStorable(string? text)
    {
        if (text is null) return true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') return false;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(c)) return false;
        }
        return true;
    }

    /// <summary>
    /// Whether every string (property names too) and every number of <paramref name="value"/> can be
    /// stored as jsonb. Numbers must be finite doubles: beyond that PostgreSQL's numeric may still
    /// hold them, but no JSON client could read them back.
    /// </summary>
    public static bool IsStorable(JsonElement value, int depth = 0)
    {
        // System.Text.Json already refuses documents nested past 64 levels; this only guards recursion.
        if (depth > 256) return false;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return TryGetString(value, out var text) && IsStorable(text);
            case JsonValueKind.Number:
                return double.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d);
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                    if (!IsStorable(item, depth + 1)) return false;
                return true;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    string name;
                    try { name = property.Name; }
                    catch (InvalidOperationException) { return false; }
                    if (!IsStorable(name) || !IsStorable(property.Value, depth + 1)) return false;
                }
                return true;
            default:
                return true;
        }
    }

    // System.Text.Json refuses to unescape a lone surrogate ("\ud800") into a string.
    private static bool TryGetString(JsonElement value, out string? text)
    {
        try { text = value.GetString(); return true; }
        catch (InvalidOperationException) { text = null; return false; }
    }
}
