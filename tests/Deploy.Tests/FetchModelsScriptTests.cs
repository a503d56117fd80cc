using System.Security.Cryptography;
using SaliencySlider.Deploy.Tests.Support;

namespace SaliencySlider.Deploy.Tests;

/// <summary>scripts/fetch-models: local copies first, downloads (here from file:// URLs) verified by sha256.</summary>
public sealed class FetchModelsScriptTests : IDisposable
{
    private static readonly string[] ModelSet = ["mobilenet_v2_1.0_224.onnx", "imagenet_labels.txt"];

    private readonly string _scratch = Directory.CreateTempSubdirectory("fetch-models-").FullName;

    private static string SharedModels => RepositoryPaths.Combine("../shared/models");

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void Copies_the_model_set_from_the_local_model_directory()
    {
        var destination = Path.Combine(_scratch, "models");

        var result = FetchModels(destination, source: SharedModels, url: null);

        Assert.True(result.ExitCode == 0, result.Describe());
        foreach (var file in ModelSet)
        {
            Assert.Equal(Sha256(Path.Combine(SharedModels, file)), Sha256(Path.Combine(destination, file)));
        }
    }

    [Fact]
    public void Downloads_what_is_not_local_and_keeps_it_only_when_its_sha256_matches()
    {
        var destination = Path.Combine(_scratch, "models");

        var result = FetchModels(destination, source: Path.Combine(_scratch, "none"), url: new Uri(SharedModels + "/").AbsoluteUri);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("downloading", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(ModelSet.Order(), Directory.GetFiles(destination).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Refuses_a_file_whose_sha256_differs_and_leaves_nothing_behind()
    {
        var tampered = Directory.CreateDirectory(Path.Combine(_scratch, "tampered")).FullName;
        foreach (var file in ModelSet)
        {
            File.WriteAllText(Path.Combine(tampered, file), "not the model");
        }

        var destination = Path.Combine(_scratch, "models");

        var result = FetchModels(destination, source: Path.Combine(_scratch, "none"), url: new Uri(tampered + "/").AbsoluteUri);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("sha256 mismatch", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(destination));
    }

    [Fact]
    public void Replaces_a_corrupted_copy_in_the_destination()
    {
        var destination = Directory.CreateDirectory(Path.Combine(_scratch, "models")).FullName;
        File.WriteAllText(Path.Combine(destination, ModelSet[1]), "truncated");

        var result = FetchModels(destination, source: SharedModels, url: null);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal(Sha256(Path.Combine(SharedModels, ModelSet[1])), Sha256(Path.Combine(destination, ModelSet[1])));
    }

    [Fact]
    public void Fails_with_a_reason_when_there_is_no_local_copy_and_no_URL()
    {
        var result = FetchModels(Path.Combine(_scratch, "models"), source: Path.Combine(_scratch, "none"), url: null);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("SALIENCY_MODELS_URL is not set", result.StandardError, StringComparison.Ordinal);
    }

    private static CommandResult FetchModels(string destination, string source, string? url) =>
        ExternalCommand.Run(
            "sh",
            [RepositoryPaths.Combine("scripts/fetch-models"), destination],
            environment: new Dictionary<string, string?>
            {
                ["SALIENCY_MODELS_SOURCE"] = source,
                ["SALIENCY_MODELS_URL"] = url,
                ["SALIENCY_MODELS_DIR"] = null,
            });

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
