using System.Collections.Concurrent;

namespace MessagePlatform.Bench;

/// <summary>Errors of one cell by kind, with one sample message each; safe to add to from any thread.</summary>
public sealed class Failures
{
    public ConcurrentDictionary<string, long> Counts { get; } = new();
    public ConcurrentDictionary<string, string> Samples { get; } = new();

    /// <param name="where">Prefix for the kind when one cell makes more than one kind of call (send, sync).</param>
    public void Add(Exception e, string? where = null)
    {
        var kind = e is OperationFailedException failed ? failed.Kind : e.GetType().Name;
        if (where is not null) kind = $"{where} {kind}";
        Counts.AddOrUpdate(kind, 1, (_, n) => n + 1);
        // One line per sample, so the error list under the table stays readable.
        var message = e.Message.ReplaceLineEndings(" ");
        Samples.TryAdd(kind, message.Length > 300 ? message[..300] + "…" : message);
    }
}

/// <summary>An operation that completed but not as success, e.g. an HTTP status other than 201.</summary>
public sealed class OperationFailedException(string kind, string detail) : Exception(detail)
{
    public string Kind { get; } = kind;
}
