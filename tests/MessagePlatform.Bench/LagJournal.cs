namespace MessagePlatform.Bench;

/// <summary>
/// One wait for the readers of the store: their lag when it began (the end of a cell), how long they
/// took to drain, and what was left if they did not within the wait's limit.
/// </summary>
/// <param name="Moment">"after spread sends x32", "before sync c2c @200/s".</param>
/// <param name="AtEnd">Every reader's lag in events, by subscription, when the wait began.</param>
public sealed record DrainRecord(string Moment, IReadOnlyDictionary<string, long> AtEnd, double DrainSeconds, long Left)
{
    public long MaxAtEnd => AtEnd.Count == 0 ? 0 : AtEnd.Values.Max();
}

/// <summary>Every wait of a run, in order, for the report; shared by the clients of every tenant of the platform.</summary>
public sealed class LagJournal
{
    private readonly List<DrainRecord> _records = [];

    public IReadOnlyList<DrainRecord> Records
    {
        get
        {
            lock (_records) return [.. _records];
        }
    }

    public void Add(DrainRecord record)
    {
        lock (_records) _records.Add(record);
    }
}
