namespace MessagePlatform.Bench;

/// <summary>A Markdown table with padded columns: the first (or first few, for text) left-aligned, the numbers right-aligned.</summary>
public static class MarkdownTable
{
    public static void Write(TextWriter output, IReadOnlyList<string> header, IReadOnlyList<string[]> rows, int leftColumns = 1)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine(Line(header.Select((h, i) => h.PadRight(widths[i]))));
        output.WriteLine(Line(widths.Select((w, i) => i < leftColumns ? new string('-', w) : new string('-', w - 1) + ":")));
        foreach (var row in rows)
            output.WriteLine(Line(row.Select((c, i) => i < leftColumns ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))));
    }

    private static string Line(IEnumerable<string> cells) => $"| {string.Join(" | ", cells)} |";
}
