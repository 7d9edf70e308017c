using System.Text.RegularExpressions;

namespace MessagePlatform.UnitTests.Platform;

/// <summary>The README's table of the slices' settings is the operator's only list of them: it must match the options classes.</summary>
public sealed partial class SettingsTableTests
{
    private const string Header = "| setting | meaning | default |";

    [Fact]
    public void the_readme_settings_table_lists_every_setting_of_every_options_class_with_its_default()
    {
        var table = ReadmeTable();
        var settings = SettingsCatalog.All.ToDictionary(s => s.Key);
        var problems = new List<string>();
        foreach (var setting in settings.Values.Where(s => !table.ContainsKey(s.Key)))
            problems.Add($"{setting.Key} (default {setting.Default}, {setting.Options.Name}) is missing from the README's settings table");
        foreach (var (key, written) in table)
        {
            if (!settings.TryGetValue(key, out var setting))
                problems.Add($"{key} in the README's settings table is no setting of any options class");
            else if (written != setting.Default)
                problems.Add($"{key}: the README says its default is {written}, {setting.Options.Name} says {setting.Default}");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void the_catalog_finds_the_options_classes_and_their_settings()
    {
        // A marker renamed or a property turned read-only would make the table check above pass on nothing.
        Assert.Contains(SettingsCatalog.All, s => s.Key == "Realtime:KeepAliveSeconds" && s.Default == "30");
        Assert.Contains(SettingsCatalog.All, s => s.Key == "HistoryOnJoin:MaxMessages");
        Assert.Contains(SettingsCatalog.All, s => s.Key == "Daemon:Subscriptions" && s.Default == "true");
        Assert.True(SettingsCatalog.OptionsClasses.Count >= 14, string.Join(", ", SettingsCatalog.OptionsClasses.Select(t => t.Name)));
    }

    /// <summary>Key → default, from the rows under the table's header; a row's keys and defaults pair up in order.</summary>
    private static Dictionary<string, string> ReadmeTable()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"));
        var start = Array.IndexOf(lines, Header);
        Assert.True(start >= 0, $"README.md has no table headed '{Header}'");
        var table = new Dictionary<string, string>();
        foreach (var line in lines.Skip(start + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Trim('|').Split('|');
            var keys = Key().Matches(cells[0]).Select(m => m.Groups[1].Value).ToList();
            var defaults = DefaultSeparator().Split(cells[^1].Trim());
            Assert.True(keys.Count > 0, $"README settings row without a `Section:Key`: {line}");
            Assert.True(keys.Count == defaults.Length, $"README settings row with {keys.Count} keys but {defaults.Length} defaults: {line}");
            foreach (var (key, value) in keys.Zip(defaults))
                Assert.True(table.TryAdd(key, value), $"{key} is in the README's settings table twice");
        }
        return table;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MessagePlatform.sln")) && File.Exists(Path.Combine(dir.FullName, "README.md")))
                return dir.FullName;
        throw new InvalidOperationException($"No repository root (MessagePlatform.sln beside README.md) above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"`([A-Za-z]+:[A-Za-z]+)`")]
    private static partial Regex Key();

    [GeneratedRegex(@"\s*[,/]\s*")]
    private static partial Regex DefaultSeparator();
}
