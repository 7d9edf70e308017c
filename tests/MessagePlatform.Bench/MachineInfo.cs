using System.Diagnostics;
using System.Runtime.InteropServices;
using Npgsql;

namespace MessagePlatform.Bench;

/// <summary>What a run ran on, so a figure is never read without its machine.</summary>
/// <param name="Commit">The repo's commit, with "+ local changes" when the work tree differs from it.</param>
public sealed record MachineInfo(
    int Cores, long MemoryBytes, string Os, string Dotnet, string Postgres, DateTimeOffset Date, string Commit, string Arguments)
{
    public static async Task<MachineInfo> ReadAsync(string repoRoot, string postgres, string[] args) => new(
        Environment.ProcessorCount, MemoryBytesOf(), RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
        await PostgresVersionAsync(postgres), DateTimeOffset.UtcNow, await CommitAsync(repoRoot), string.Join(' ', args));

    private static long MemoryBytesOf()
    {
        // /proc/meminfo says what the machine has; the GC's figure can be a container's limit.
        var line = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
        return line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kib)
            ? kib * 1024
            : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    private static async Task<string> PostgresVersionAsync(string postgres)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select version()", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> CommitAsync(string repoRoot)
    {
        var commit = await GitAsync(repoRoot, "rev-parse", "HEAD");
        if (commit is null) return "unknown (not a git checkout)";
        // The report files themselves are what a run changes: they do not make the code differ.
        var changes = await GitAsync(repoRoot, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/benchmarks*");
        return string.IsNullOrEmpty(changes) ? commit : $"{commit} + local changes";
    }

    private static async Task<string?> GitAsync(string repoRoot, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo("git") { WorkingDirectory = repoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args) start.ArgumentList.Add(arg);
            using var git = Process.Start(start)!;
            var output = await git.StandardOutput.ReadToEndAsync();
            await git.WaitForExitAsync();
            return git.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine
        }
    }
}
