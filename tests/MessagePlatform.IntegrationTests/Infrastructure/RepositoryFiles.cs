namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>The checkout the tests run from: files the tests compare with what the host serves.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MessagePlatform.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No MessagePlatform.sln above {AppContext.BaseDirectory}.");
    }
}
