namespace SaliencySlider.Service.Tests.Infrastructure;

public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>SALIENCY_MODELS_DIR, else ../shared/models beside the repository.</summary>
    public static string ModelDirectory { get; } =
        Environment.GetEnvironmentVariable("SALIENCY_MODELS_DIR") is { Length: > 0 } fromEnvironment
            ? Path.GetFullPath(fromEnvironment)
            : Path.GetFullPath(Path.Combine(Root, "..", "shared", "models"));

    public static string ManifestDirectory { get; } = Path.Combine(Root, "models");

    public static string TestImages { get; } = Path.GetFullPath(Path.Combine(Root, "..", "shared", "testdata", "images"));

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "SaliencySlider.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no SaliencySlider.slnx above {AppContext.BaseDirectory}");
    }
}
