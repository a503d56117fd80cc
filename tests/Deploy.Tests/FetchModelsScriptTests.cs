using System.Security.Cryptography;
using SaliencySlider.Deploy.Tests.Support;
using Xunit.Abstractions;

namespace SaliencySlider.Deploy.Tests;

/// <summary>scripts/fetch-models: local copies first, then a published copy, then the public sources converted; downloads (here from file:// URLs) are verified.</summary>
public sealed class FetchModelsScriptTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>The ImageNet model, published as ONNX in ../shared/models.</summary>
    private static readonly string[] ModelSet = ["mobilenet_v2_1.0_224.onnx", "imagenet_labels.txt"];

    /// <summary>The iNaturalist models, converted from their TFLite sources in ../shared/models/sources.</summary>
    private static readonly string[] INaturalistSet =
        ["mobilenet_v2_1.0_224_inat_bird.onnx", "inat_bird_labels.txt", "mobilenet_v2_1.0_224_inat_insect.onnx", "inat_insect_labels.txt"];

    private readonly string _scratch = Directory.CreateTempSubdirectory("fetch-models-").FullName;

    private static string SharedModels => RepositoryPaths.Combine("../shared/models");

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void Copies_the_ImageNet_model_converts_the_iNaturalist_models_from_the_local_sources_offline_and_keeps_them_on_the_next_run()
    {
        var destination = Path.Combine(_scratch, "models");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var first = FetchModels(destination, source: SharedModels, url: null);
        var firstTime = clock.Elapsed;
        clock.Restart();
        var second = FetchModels(destination, source: SharedModels, url: null);
        output.WriteLine($"first run (copy 2 files, convert 2 models): {firstTime.TotalSeconds:F1} s; second run (all present): {clock.Elapsed.TotalSeconds:F1} s");

        Assert.True(first.ExitCode == 0, first.Describe());
        Assert.DoesNotContain("downloading", first.StandardError, StringComparison.Ordinal);
        foreach (var file in ModelSet)
        {
            Assert.Equal(Sha256(Path.Combine(SharedModels, file)), Sha256(Path.Combine(destination, file)));
        }
        foreach (var file in INaturalistSet)
        {
            var fields = DefaultModelSetLine(file).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains($"{file}: its source is in {SharedModels}/sources", first.StandardError, StringComparison.Ordinal);
            // The conversion writes exactly the file the set pins, so copies of it (local or published) pass too.
            Assert.Equal(fields[0], Sha256(Path.Combine(destination, file)));
        }
        Assert.Equal(2, first.StandardError.Split('\n').Count(l => l.EndsWith("converted; same weights and graph as the published file (fingerprint checked)", StringComparison.Ordinal)));
        Assert.Equal(ModelSet.Concat(INaturalistSet).Order(), Directory.GetFiles(destination).Select(Path.GetFileName).Order());
        Assert.Equal([".verified"], Directory.GetDirectories(destination).Select(Path.GetFileName));

        Assert.True(second.ExitCode == 0, second.Describe());
        Assert.All(ModelSet.Concat(INaturalistSet), file => Assert.Contains($"{file}: present", second.StandardError, StringComparison.Ordinal));
        Assert.DoesNotContain("converted", second.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mobilenet_v2_1.0_224_inat_bird.onnx", "inat_bird_labels.txt")]
    [InlineData("mobilenet_v2_1.0_224_inat_insect.onnx", "inat_insect_labels.txt")]
    public void The_iNaturalist_models_pin_the_sources_of_the_shared_README_at_the_default_models_commit(string model, string labels)
    {
        var readme = File.ReadAllLines(Path.Combine(SharedModels, "sources", "README.md"));
        var commit = DefaultModelSetLine("mobilenet_v2_1.0_224.onnx").Split(' ', StringSplitOptions.RemoveEmptyEntries)[3].Split('/')[^2];
        var modelFields = DefaultModelSetLine(model).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var labelFields = DefaultModelSetLine(labels).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var arguments = modelFields[5..].ToList();
        var source = modelFields[3].Split('/')[^1];

        Assert.Equal("import-tflite", modelFields[2]);
        Assert.Equal($"https://raw.githubusercontent.com/google-coral/test_data/{commit}/{source}", modelFields[3]);
        Assert.Contains(readme, line => line.Contains(source, StringComparison.Ordinal) && line.Contains(modelFields[4], StringComparison.Ordinal));
        Assert.Contains(arguments[arguments.IndexOf("--expect-fingerprint") + 1], string.Join(' ', readme), StringComparison.Ordinal);
        Assert.DoesNotContain("--drop-leading-classes", arguments);
        Assert.Equal(["verbatim", $"https://raw.githubusercontent.com/google-coral/test_data/{commit}/{labels}", "-"], labelFields[2..]);
        Assert.Contains(readme, line => line.Contains(labels, StringComparison.Ordinal) && line.Contains(labelFields[0], StringComparison.Ordinal));
    }

    [Fact]
    public void Downloads_what_is_not_local_and_keeps_it_only_when_its_sha256_matches()
    {
        var destination = Path.Combine(_scratch, "models");

        var result = FetchModels(destination, source: Path.Combine(_scratch, "none"), url: new Uri(SharedModels + "/").AbsoluteUri, modelSet: ImageNetSet());

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

        var result = FetchModels(destination, source: Path.Combine(_scratch, "none"), url: new Uri(tampered + "/").AbsoluteUri, modelSet: ImageNetSet());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("sha256 mismatch", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(destination));
    }

    [Fact]
    public void Replaces_a_corrupted_copy_in_the_destination()
    {
        var destination = Directory.CreateDirectory(Path.Combine(_scratch, "models")).FullName;
        File.WriteAllText(Path.Combine(destination, ModelSet[1]), "truncated");

        var result = FetchModels(destination, source: SharedModels, url: null, modelSet: ImageNetSet());

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
        Assert.Equal([".verified"], Directory.GetDirectories(destination).Select(Path.GetFileName));

        Assert.True(second.ExitCode == 0, second.Describe());
        Assert.Contains("tiny.onnx: present", second.StandardError, StringComparison.Ordinal);
        Assert.Contains("labels.txt: present", second.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("downloading", second.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Builds_a_file_missing_from_the_published_copy_from_its_public_source()
    {
        var published = Directory.CreateDirectory(Path.Combine(_scratch, "published")).FullName;
        var destination = Path.Combine(_scratch, "models");

        var result = FetchModels(destination, source: Path.Combine(_scratch, "none"), url: new Uri(published + "/").AbsoluteUri,
            modelSet: WriteModelSet(TinyModelLine(TinyFixture.Sha256, TinyFixture.ConvertedFingerprint)));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains($"tiny.onnx: not published at {new Uri(published + "/").AbsoluteUri}; building it from its public source", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(TinyFixture.ConvertedFingerprint, Fingerprint(Path.Combine(destination, "tiny.onnx")));
    }

    [Fact]
    public void Takes_a_public_source_from_the_local_sources_folder_without_downloading_it()
    {
        var source = Directory.CreateDirectory(Path.Combine(_scratch, "local", "sources")).Parent!.FullName;
        File.Copy(TinyFixture.Path, Path.Combine(source, "sources", Path.GetFileName(TinyFixture.Path)));
        var destination = Path.Combine(_scratch, "models");
        var unreachable = new Uri(Path.Combine(_scratch, "nowhere", Path.GetFileName(TinyFixture.Path))).AbsoluteUri;

        var result = FetchModels(destination, source: source, url: null,
            modelSet: WriteModelSet(TinyModelLine(TinyFixture.Sha256, TinyFixture.ConvertedFingerprint).Replace(new Uri(TinyFixture.Path).AbsoluteUri, unreachable, StringComparison.Ordinal)));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains($"tiny.onnx: its source is in {source}/sources", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("downloading", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(TinyFixture.ConvertedFingerprint, Fingerprint(Path.Combine(destination, "tiny.onnx")));
    }

    [Fact]
    public void Downloads_the_public_source_when_the_local_copy_has_another_sha256()
    {
        var source = Directory.CreateDirectory(Path.Combine(_scratch, "local", "sources")).Parent!.FullName;
        File.WriteAllText(Path.Combine(source, "sources", Path.GetFileName(TinyFixture.Path)), "not the model");
        var destination = Path.Combine(_scratch, "models");

        var result = FetchModels(destination, source: source, url: null, modelSet: WriteModelSet(TinyModelLine(TinyFixture.Sha256, TinyFixture.ConvertedFingerprint)));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("has another sha256 than its source, not used", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("tiny.onnx: downloading its public source", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(TinyFixture.ConvertedFingerprint, Fingerprint(Path.Combine(destination, "tiny.onnx")));
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

    /// <summary>A model set of the ImageNet model's lines only (tests of copies and downloads that must not convert).</summary>
    private string ImageNetSet() => WriteModelSet([.. ModelSet.Select(DefaultModelSetLine)]);

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
