namespace SaliencySlider.TestSupport;

/// <summary>The shared read-only data beside the repository (../shared) and the repository's manifests.</summary>
internal static class TestPaths
{
    public static string ModelDirectory => Path.Combine(RepositoryPaths.Shared, "models");

    public static string MobileNetOnnx => Path.Combine(ModelDirectory, "mobilenet_v2_1.0_224.onnx");

    /// <summary>The repository's models/*.json.</summary>
    public static string ManifestDirectory => RepositoryPaths.Combine("models");

    public static string MobileNetManifest => Path.Combine(ManifestDirectory, "mobilenet_v2_1.0_224.json");

    public static string Image(string name) => Path.Combine(RepositoryPaths.Shared, "testdata", "images", name);
}
