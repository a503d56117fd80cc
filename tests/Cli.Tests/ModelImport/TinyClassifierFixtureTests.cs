using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SaliencySlider.Cli;

namespace SaliencySlider.Cli.Tests.ModelImport;

/// <summary>The committed tests/fixtures/models/tiny_classifier_quant.tflite (used by the deployment tests to run
/// scripts/fetch-models end to end) stays reproducible, converts, and matches the hashes its README records.</summary>
public sealed partial class TinyClassifierFixtureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("saliency-fixture-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Committed_fixture_is_what_the_builder_writes()
    {
        var built = TinyClassifierTflite.Build();
        // Regenerate after a deliberate change: SALIENCY_WRITE_FIXTURES=1 dotnet test ... (then update the README's hashes).
        if (Environment.GetEnvironmentVariable("SALIENCY_WRITE_FIXTURES") == "1")
        {
            File.WriteAllBytes(TinyClassifierTflite.CommittedPath, built);
        }

        Assert.Equal(built, File.ReadAllBytes(TinyClassifierTflite.CommittedPath));
        Assert.InRange(built.Length, 1000, 8000);
    }

    [Fact]
    public async Task Cli_converts_the_fixture_to_the_fingerprint_its_readme_records()
    {
        var target = Path.Combine(_folder, "tiny.onnx");
        var readme = await File.ReadAllTextAsync(TinyClassifierTflite.ReadmePath);

        var (exitCode, stdout, stderr) = await TfliteImportErrorTests.RunAsync(
            "import-tflite", TinyClassifierTflite.CommittedPath, "--out", target, "--drop-leading-classes", "1");

        Assert.True(exitCode == CliApp.ExitOk, stderr);
        var match = WroteLine().Match(stdout);
        Assert.True(match.Success, stdout);
        Assert.Equal(target, match.Groups["path"].Value);
        Assert.Equal("8", match.Groups["nodes"].Value); // Conv, Clip, Conv, Clip, GlobalAveragePool, Conv, Reshape, Slice
        var fingerprint = match.Groups["fingerprint"].Value;
        Assert.Contains(fingerprint, readme);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(TinyClassifierTflite.CommittedPath))), readme);

        var (printExit, printed, _) = await TfliteImportErrorTests.RunAsync("fingerprint", target);
        Assert.Equal(CliApp.ExitOk, printExit);
        Assert.Equal(fingerprint, printed.Trim());

        using var session = new InferenceSession(target);
        var input = new DenseTensor<float>(Enumerable.Range(0, 3 * 8 * 8).Select(i => (i % 17 / 8f) - 1f).ToArray(), [1, 3, 8, 8]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        var logits = results.Single();
        Assert.Equal("logits", logits.Name);
        Assert.Equal([1, 4], logits.AsTensor<float>().Dimensions.ToArray());
    }

    [Fact]
    public async Task Cli_with_the_expected_fingerprint_writes_the_model_and_no_partial_file()
    {
        var target = Path.Combine(_folder, "tiny.onnx");
        var readme = await File.ReadAllTextAsync(TinyClassifierTflite.ReadmePath);
        var expected = ReadmeFingerprint().Match(readme).Groups["hex"].Value;

        var (exitCode, stdout, stderr) = await TfliteImportErrorTests.RunAsync(
            "import-tflite", TinyClassifierTflite.CommittedPath, "--out", target, "--drop-leading-classes", "1", "--expect-fingerprint", expected.ToUpperInvariant());

        Assert.True(exitCode == CliApp.ExitOk, stderr);
        Assert.Contains(expected, stdout);
        Assert.Equal([target], Directory.GetFiles(_folder));
    }

    [GeneratedRegex(@"^wrote (?<path>.+): (?<nodes>\d+) nodes, fingerprint (?<fingerprint>[0-9a-f]{64})\r?\n$")]
    private static partial Regex WroteLine();

    [GeneratedRegex(@"\| fingerprint of the converted model[^|]*\| `(?<hex>[0-9a-f]{64})`")]
    private static partial Regex ReadmeFingerprint();
}
