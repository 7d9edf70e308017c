using System.Text.RegularExpressions;

namespace MessagePlatform.UnitTests.Platform;

/// <summary>
/// The README and the documents in docs/ link only inside the repository, to files that exist: a reader
/// of a clone (or of the repository's web page) never meets a link to a sibling folder they do not have.
/// </summary>
public sealed partial class RepositoryLinksTests
{
    [Fact]
    public void readme_and_docs_link_only_to_files_inside_the_repository_that_exist()
    {
        var root = Root();
        var documents = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories))
            .ToList();
        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var document in documents)
        {
            var folder = Path.GetDirectoryName(document)!;
            var name = Path.GetRelativePath(root, document);
            foreach (var target in Targets(File.ReadAllText(document)))
            {
                checkedLinks++;
                if (target.StartsWith("../", StringComparison.Ordinal) && !Inside(root, Path.GetFullPath(Path.Combine(folder, target))))
                    broken.Add($"{name}: {target} leaves the repository");
                else if (!File.Exists(Path.Combine(folder, target)) && !Directory.Exists(Path.Combine(folder, target)))
                    broken.Add($"{name}: {target} does not exist");
            }
        }
        Assert.True(checkedLinks > 0, "No relative link found at all: the link pattern is wrong.");
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Theory]
    [InlineData("see [the contract](../shared/API.md).", "../shared/API.md")]
    [InlineData("[api](docs/api.md#sessions) and [site](https://example.com) and [top](#layout)", "docs/api.md")]
    public void relative_links_are_found_and_anchors_and_web_addresses_are_left_out(string markdown, string expected) =>
        Assert.Equal([expected], Targets(markdown));

    // Links a reader follows inside a clone: relative ones, without their anchor. Web addresses
    // (the served `/docs` is a path on the node, written as code, not a link) and anchors are not files.
    private static IEnumerable<string> Targets(string markdown) =>
        MarkdownLink().Matches(markdown)
            .Select(m => m.Groups["target"].Value.Split('#')[0])
            .Where(t => t.Length > 0 && !t.Contains("://", StringComparison.Ordinal) && !t.StartsWith("mailto:", StringComparison.Ordinal)
                        && !t.StartsWith('/'));

    private static bool Inside(string root, string path) =>
        path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MessagePlatform.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No MessagePlatform.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex MarkdownLink();
}
