using System.Globalization;

namespace MessagePlatform.Domain;

public enum RetentionKind
{
    Forever,
    Days,
    Last,
}

/// <summary>A session policy's retention, parsed: keep everything, the last N days, or the last N messages.</summary>
public sealed record Retention(RetentionKind Kind, int N)
{
    public static readonly Retention Forever = new(RetentionKind.Forever, 0);

    /// <summary>Parses what <see cref="SessionPolicy.Merge"/> already validated; anything else keeps everything.</summary>
    public static Retention Parse(string text)
    {
        var parts = text.Split(':', 2);
        if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            if (parts[0] == "days") return new Retention(RetentionKind.Days, n);
            if (parts[0] == "last") return new Retention(RetentionKind.Last, n);
        }
        return Forever;
    }
}
