using System.Globalization;

namespace MessagePlatform.Api.Audit;

/// <summary>
/// Reads audit query parameters, collecting field errors: bound as strings so a bad value becomes a
/// 400 that names the field instead of a binding failure.
/// </summary>
public sealed class AuditQuery
{
    public Dictionary<string, string[]> Errors { get; } = [];

    /// <summary>An ISO 8601 time; without an offset it is taken as UTC, as API.md's times are.</summary>
    public DateTimeOffset? Time(string name, string? value, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) Errors[name] = ["is required: an ISO 8601 time such as 2026-11-23T12:00:00Z"];
            return null;
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            return time.ToUniversalTime();
        Errors[name] = ["must be an ISO 8601 time such as 2026-11-23T12:00:00Z"];
        return null;
    }

    public int Limit(string name, string? value, int fallback, int max)
    {
        if (string.IsNullOrEmpty(value)) return fallback;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit >= 1 && limit <= max)
            return limit;
        Errors[name] = [$"must be an integer from 1 to {max}"];
        return fallback;
    }

    public long? Version(string name, string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version >= 1) return version;
        Errors[name] = ["must be a positive integer (a stream version)"];
        return null;
    }
}
