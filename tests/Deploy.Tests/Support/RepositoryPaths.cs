namespace SaliencySlider.Deploy.Tests.Support;

/// <summary>Locates the repository that contains the running test assembly.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

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

        throw new InvalidOperationException($"No SaliencySlider.slnx above {AppContext.BaseDirectory}.");
    }
}
