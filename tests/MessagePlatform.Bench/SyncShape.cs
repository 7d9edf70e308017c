namespace MessagePlatform.Bench;

/// <summary>
/// Sessions of one shape (c2c, or groups of one size), every one with <see cref="Observer"/> as a
/// member, so the observer's sync sees every message of the shape. The other members send.
/// </summary>
public sealed record SyncShape(string Name, string Type, string Observer, IReadOnlyList<SyncShape.Session> Sessions)
{
    /// <param name="Id">Null until opened: the API names c2c sessions itself.</param>
    /// <param name="Members">The observer first.</param>
    public sealed record Session(string? Id, string[] Members);

    public int Size => Sessions[0].Members.Length;

    public static SyncShape C2c(string name, string observer, string peerPrefix, int sessions) =>
        new(name, "c2c", observer, [.. Enumerable.Range(1, sessions).Select(i => new Session(null, [observer, $"{peerPrefix}{i}"]))]);

    /// <summary>Members other than the observer are distinct per group, as in a real tenant's teams.</summary>
    public static SyncShape Groups(string observer, int size, int groups) =>
        new($"group of {size}", "group", observer, [.. Enumerable.Range(1, groups).Select(g => new Session($"g{size}-{g}",
            [observer, .. Enumerable.Range(1, size - 1).Select(m => $"g{size}-{g}-u{m}")]))]);

    public (string SessionId, string From) PickSender()
    {
        var session = Sessions[Random.Shared.Next(Sessions.Count)];
        return (session.Id ?? throw new InvalidOperationException($"{Name} is not opened"),
            session.Members[Random.Shared.Next(1, session.Members.Length)]);
    }

    public async Task<SyncShape> OpenAsync(PlatformClient api)
    {
        var opened = new Session[Sessions.Count];
        // A few at a time: setup is not measured, it should just not take long.
        await Parallel.ForEachAsync(Enumerable.Range(0, Sessions.Count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => opened[i] = Sessions[i] with
            {
                Id = await api.OpenSessionAsync(Sessions[i].Id, Type, Sessions[i].Members),
            });
        return this with { Sessions = opened };
    }
}
