using System.Text.Json;
using System.Text.Json.Serialization;

namespace MessagePlatform.Bench;

/// <summary>docs/benchmarks.json: every figure of a run, and the one input `--report-only` draws the report from.</summary>
public static class ReportJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // A frame never received is an infinite latency; a cell with nothing measured has NaN percentiles.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static async Task WriteAsync(BenchResults results, string path)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, results, Options);
    }

    public static async Task<BenchResults> ReadAsync(string path)
    {
        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<BenchResults>(file, Options)
            ?? throw new InvalidDataException($"{path} holds no results");
    }
}
