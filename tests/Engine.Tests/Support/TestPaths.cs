namespace SaliencySlider.Engine.Tests.Support;

/// <summary>The shared read-only data beside the repository (../shared) and the repository's manifests.</summary>
internal static class TestPaths
{
    public static string SharedDirectory { get; } = FindShared();

    public static string ModelDirectory => Path.Combine(SharedDirectory, "models");

    public static string MobileNetOnnx => Path.Combine(ModelDirectory, "mobilenet_v2_1.0_224.onnx");

    /// <summary>The manifests copied next to the test assembly (the repository's models/*.json).</summary>
    public static string ManifestDirectory => Path.Combine(AppContext.BaseDirectory, "models");

    public static string MobileNetManifest => Path.Combine(ManifestDirectory, "mobilenet_v2_1.0_224.json");

    public static string Image(string name) => Path.Combine(SharedDirectory, "testdata", "images", name);

    private static string FindShared()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "models")) && Directory.Exists(Path.Combine(candidate, "testdata")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException($"no shared/ (models, testdata) above {AppContext.BaseDirectory}");
    }
}
