using System.Security.Cryptography;
using SaliencySlider.Deploy.Tests.Support;

namespace SaliencySlider.Deploy.Tests;

/// <summary>scripts/fetch-models: local copies first, then a published copy, then the public sources converted; downloads (here from file:// URLs) are verified.</summary>
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
    public void Fails_with_a_reason_when_a_file_has_no_local_copy_no_URL_and_no_public_source()
    {
        var modelSet = WriteModelSet($"{new string('0', 64)} custom.onnx");

        var result = FetchModels(Path.Combine(_scratch, "models"), source: Path.Combine(_scratch, "none"), url: null, modelSet: modelSet);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("custom.onnx: not in", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("SALIENCY_MODELS_URL is not set", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Builds_the_set_from_its_public_sources_and_keeps_it_on_the_next_run()
    {
        var destination = Path.Combine(_scratch, "models");
        var modelSet = WriteModelSet(TinyModelLine(TinyFixture.Sha256, TinyFixture.ConvertedFingerprint), LabelsLine(CoralStyleLabels(["cat", "dog", "bird", "fish"])));

        var first = FetchModels(destination, source: Path.Combine(_scratch, "none"), url: null, modelSet: modelSet);
        var second = FetchModels(destination, source: Path.Combine(_scratch, "none"), url: null, modelSet: modelSet);

        Assert.True(first.ExitCode == 0, first.Describe());
        Assert.Contains("tiny.onnx: converted; same weights and graph as the published file", first.StandardError, StringComparison.Ordinal);
        Assert.Equal(TinyFixture.ConvertedFingerprint, Fingerprint(Path.Combine(destination, "tiny.onnx")));
        Assert.Equal("cat\ndog\nbird\nfish\n", File.ReadAllText(Path.Combine(destination, "labels.txt")));
        Assert.Equal(["labels.txt", "tiny.onnx"], Directory.GetFiles(destination).Select(Path.GetFileName).Order());

        Assert.True(second.ExitCode == 0, second.Describe());
        Assert.Contains("tiny.onnx: present", second.StandardError, StringComparison.Ordinal);
        Assert.Contains("labels.txt: present", second.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("downloading", second.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_public_source_whose_sha256_differs_and_leaves_nothing_behind()
    {
        var destination = Path.Combine(_scratch, "models");
        var modelSet = WriteModelSet(TinyModelLine(new string('a', 64), TinyFixture.ConvertedFingerprint));

        var result = FetchModels(destination, source: Path.Combine(_scratch, "none"), url: null, modelSet: modelSet);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("tiny.onnx: source sha256 mismatch", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(destination, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Refuses_a_conversion_whose_fingerprint_differs_from_the_published_model()
    {
        var destination = Path.Combine(_scratch, "models");
        var modelSet = WriteModelSet(TinyModelLine(TinyFixture.Sha256, new string('b', 64)));

        var result = FetchModels(destination, source: Path.Combine(_scratch, "none"), url: null, modelSet: modelSet);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("fingerprint mismatch", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(destination, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void The_default_set_pins_the_public_TFLite_of_the_model_card_and_the_published_models_fingerprint()
    {
        var line = DefaultModelSetLine("mobilenet_v2_1.0_224.onnx");
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var arguments = fields[5..].ToList();

        Assert.Equal("import-tflite", fields[2]);
        Assert.Matches(@"^https://raw\.githubusercontent\.com/google-coral/test_data/[0-9a-f]{40}/mobilenet_v2_1\.0_224_quant\.tflite$", fields[3]);
        Assert.Contains($"sha256 `{fields[4]}`", File.ReadAllText(Path.Combine(SharedModels, "MODEL_CARD.md")), StringComparison.Ordinal);
        Assert.Equal("1", arguments[arguments.IndexOf("--drop-leading-classes") + 1]);
        Assert.Equal(Fingerprint(Path.Combine(SharedModels, fields[1])), arguments[arguments.IndexOf("--expect-fingerprint") + 1]);
        Assert.Equal(Sha256(Path.Combine(SharedModels, fields[1])), fields[0]);
    }

    [Theory]
    [InlineData("{0} {1}")]
    [InlineData("{0}  {1}")]
    [InlineData("{0}:{1}")]
    [InlineData("{1}")]
    public void The_default_label_recipe_turns_Corals_label_file_into_the_published_one(string lineFormat)
    {
        var published = Path.Combine(SharedModels, "imagenet_labels.txt");
        var coral = Path.Combine(_scratch, "coral_labels.txt");
        var labels = File.ReadAllLines(published).Prepend("background");
        File.WriteAllLines(coral, labels.Select((label, index) => string.Format(System.Globalization.CultureInfo.InvariantCulture, lineFormat, index, label)));
        var fields = DefaultModelSetLine("imagenet_labels.txt").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        fields[3] = new Uri(coral).AbsoluteUri;
        var destination = Path.Combine(_scratch, "models");

        var result = FetchModels(destination, source: Path.Combine(_scratch, "none"), url: null, modelSet: WriteModelSet(string.Join(' ', fields)));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal(Sha256(published), Sha256(Path.Combine(destination, "imagenet_labels.txt")));
    }

    /// <summary>tests/fixtures/models/tiny_classifier_quant.tflite (see its README).</summary>
    private static class TinyFixture
    {
        public const string Sha256 = "ca79113e9a3f40bee253cd562de9c23ec7e761a812167d04c429d5b313c793eb";
        public const string ConvertedFingerprint = "339b9a8bdcdcd2b395b19e7a8d99ddebdf27aa793428ab5b77c26aa6b40678e0";
        public static string Path => RepositoryPaths.Combine("tests/fixtures/models/tiny_classifier_quant.tflite");
    }

    private static string TinyModelLine(string sourceSha256, string fingerprint) =>
        $"{new string('0', 64)} tiny.onnx import-tflite {new Uri(TinyFixture.Path).AbsoluteUri} {sourceSha256} --drop-leading-classes 1 --expect-fingerprint {fingerprint}";

    private string LabelsLine(string coralStyleFile) =>
        $"{Convert.ToHexStringLower(SHA256.HashData("cat\ndog\nbird\nfish\n"u8))} labels.txt strip-label-indices {new Uri(coralStyleFile).AbsoluteUri} - 1";

    private string CoralStyleLabels(string[] labels)
    {
        var path = Path.Combine(_scratch, "coral_labels.txt");
        File.WriteAllLines(path, labels.Prepend("background").Select((label, index) => $"{index}  {label}"));
        return path;
    }

    private string WriteModelSet(params string[] lines)
    {
        var path = Path.Combine(_scratch, $"model-set-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static string DefaultModelSetLine(string file) =>
        File.ReadAllLines(RepositoryPaths.Combine("scripts/fetch-models"))
            .Single(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var name, ..] && name == file && line.Length > 64 && Uri.IsHexDigit(line[0]));

    /// <summary>The CLI this test project builds (it references clients/Cli), as fetch-models' converter.</summary>
    private static string SaliencyCli => $"dotnet {Path.Combine(AppContext.BaseDirectory, "saliency.dll")}";

    private static string Fingerprint(string onnxPath)
    {
        var result = ExternalCommand.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "saliency.dll"), "fingerprint", onnxPath]);
        Assert.True(result.ExitCode == 0, result.Describe());
        return result.StandardOutput.Trim();
    }

    private static CommandResult FetchModels(string destination, string source, string? url, string? modelSet = null) =>
        ExternalCommand.Run(
            "sh",
            [RepositoryPaths.Combine("scripts/fetch-models"), destination],
            environment: new Dictionary<string, string?>
            {
                ["SALIENCY_MODELS_SOURCE"] = source,
                ["SALIENCY_MODELS_URL"] = url,
                ["SALIENCY_MODELS_DIR"] = null,
                ["SALIENCY_MODEL_SET"] = modelSet,
                ["SALIENCY_CLI"] = SaliencyCli,
            });

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
