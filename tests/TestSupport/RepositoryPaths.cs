namespace SaliencySlider.TestSupport;

/// <summary>
/// The repository that holds the running test assembly (the folder with SaliencySlider.slnx) and the read-only data it
/// expects beside it (../shared: models and test images). One copy, linked into every test project.
/// </summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    /// <summary>../shared beside the repository: the shared models and test images.</summary>
    public static string Shared => Combine("../shared");

    /// <summary>A path relative to the repository root, written with '/'.</summary>
    public static string Combine(string relativePath) =>
        Path.GetFullPath(Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar)));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SaliencySlider.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no SaliencySlider.slnx above {AppContext.BaseDirectory}");
    }
}
