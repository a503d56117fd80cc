using System.Diagnostics;

namespace SaliencySlider.Service.Tests.Infrastructure;

public static class RepoPaths
{
    /// <summary>
    /// The served model set: SALIENCY_MODELS_DIR (scripts/test fills it with scripts/fetch-models), else
    /// .data/models filled here the same way (the ImageNet model copied from ../shared/models, the iNaturalist
    /// bird and insect models converted from their TFLite sources once, kept for later runs).
    /// </summary>
    public static string ModelDirectory { get; } =
        Environment.GetEnvironmentVariable("SALIENCY_MODELS_DIR") is { Length: > 0 } fromEnvironment
            ? Path.GetFullPath(fromEnvironment)
            : FetchModelSet(Path.Combine(RepositoryPaths.Root, ".data", "models"));

    public static string ManifestDirectory { get; } = Path.Combine(RepositoryPaths.Root, "models");

    public static string TestImages { get; } = Path.Combine(RepositoryPaths.Shared, "testdata", "images");

    /// <summary>Runs scripts/fetch-models into <paramref name="destination"/>, converting with the CLI this project builds.</summary>
    private static string FetchModelSet(string destination)
    {
        var start = new ProcessStartInfo("sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "scripts", "fetch-models"));
        start.ArgumentList.Add(destination);
        start.Environment["SALIENCY_CLI"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "saliency.dll")}";
        start.Environment.Remove("SALIENCY_MODEL_SET");
        start.Environment.Remove("SALIENCY_MODELS_URL");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start scripts/fetch-models");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/fetch-models {destination} failed (exit code {process.ExitCode}):\n{output.Result}{errors.Result}");
        }

        return destination;
    }
}
