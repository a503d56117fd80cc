using System.Globalization;
using System.Text.Json;
using SaliencySlider.Cli;
using SaliencySlider.Engine.Cam;

namespace SaliencySlider.Cli.Tests;

/// <summary>`saliency compare` and `saliency evaluate` run in-process on the shared MobileNetV2, as a user would run them.</summary>
public sealed class CompareCliTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("saliency-compare-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Fact]
    public async Task Compare_prints_a_ranked_table_and_writes_compare_json_and_one_heatmap_per_method()
    {
        var (exitCode, stdout, stderr) = await RunAsync("compare", TestPaths.Image("chelsea.png"), "--frames", "5", "--max-side", "64", "--out", _output);

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_output, "compare.json")));
        var root = json.RootElement;
        Assert.Equal("mobilenet_v2_1.0_224", root.GetProperty("model").GetString());
        var protocol = root.GetProperty("protocol");
        Assert.Equal((5, 4), (protocol.GetProperty("frames").GetInt32(), protocol.GetProperty("steps").GetInt32()));
        Assert.Equal(("blur", "black"), (protocol.GetProperty("insertionBaseline").GetString(), protocol.GetProperty("deletionBaseline").GetString()));
        var methods = root.GetProperty("methods").EnumerateArray().ToList();
        Assert.Equal(CamMethods.Names.Order(), methods.Select(m => m.GetProperty("method").GetString()).Order());
        Assert.Equal(Enumerable.Range(1, methods.Count), methods.Select(m => m.GetProperty("rank").GetInt32()));
        var scores = methods.Select(m => m.GetProperty("insertionAuc").GetDouble() - m.GetProperty("deletionAuc").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        var tableLines = stdout.Split('\n').Where(l => l.TrimStart() is [var first, ..] && char.IsDigit(first)).ToList();
        foreach (var (method, rank) in methods.Select((m, i) => (m, i + 1)))
        {
            var name = method.GetProperty("method").GetString()!;
            Assert.InRange(method.GetProperty("insertionAuc").GetDouble(), 0, 1);
            Assert.InRange(method.GetProperty("deletionAuc").GetDouble(), 0, 1);
            Assert.InRange(method.GetProperty("sufficiency").GetDouble(), 0, 1);
            Assert.Equal(5, method.GetProperty("insertionCurve").GetArrayLength());
            Assert.Equal(5, method.GetProperty("deletionCurve").GetArrayLength());
            Assert.Equal($"heatmaps/{name}.png", method.GetProperty("heatmap").GetString());
            Assert.True(FileMagic.IsPng(File.ReadAllBytes(Path.Combine(_output, "heatmaps", name + ".png"))));
            var insertion = method.GetProperty("insertionAuc").GetDouble().ToString("0.0000", CultureInfo.InvariantCulture);
            Assert.Contains(tableLines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var r, var m, var i, ..] && r == $"{rank}" && m == name && i == insertion);
        }
        Assert.Equal(CamMethods.Names.Count, Directory.GetFiles(Path.Combine(_output, "heatmaps")).Length);
    }

    [Fact]
    public async Task Compare_runs_only_the_methods_asked_for()
    {
        var (exitCode, _, stderr) = await RunAsync("compare", TestPaths.Image("coffee.png"), "--methods", "eigencam,gradcam", "--frames", "3", "--max-side", "32", "--out", _output);

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_output, "compare.json")));
        Assert.Equal(["eigencam", "gradcam"], json.RootElement.GetProperty("methods").EnumerateArray().Select(m => m.GetProperty("method").GetString()).Order());
        Assert.Equal(["eigencam.png", "gradcam.png"], Directory.GetFiles(Path.Combine(_output, "heatmaps")).Select(Path.GetFileName).Order());
    }

    [Theory]
    [InlineData("--methods", "gradcam,nosuchcam", "--methods: unknown method 'nosuchcam'")]
    [InlineData("--methods", "gradcam,gradcam", "--methods: 'gradcam' is named twice")]
    [InlineData("--frames", "1", "frame count 1 is outside 2..101")]
    public async Task Compare_refuses_bad_options_with_one_line(string option, string value, string message)
    {
        var (exitCode, _, stderr) = await RunAsync("compare", TestPaths.Image("coffee.png"), option, value, "--out", _output);

        Assert.Equal(CliApp.ExitFailure, exitCode);
        Assert.StartsWith("error: ", stderr);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public async Task Evaluate_writes_mean_sd_and_n_per_method_with_the_protocol_and_skips_non_images()
    {
        var images = Directory.CreateDirectory(Path.Combine(_output, "images")).FullName;
        File.Copy(TestPaths.Image("chelsea.png"), Path.Combine(images, "chelsea.png"));
        File.Copy(TestPaths.Image("coffee.png"), Path.Combine(images, "coffee.png"));
        File.WriteAllText(Path.Combine(images, "notes.png"), "not pixels");
        File.WriteAllText(Path.Combine(images, "README.txt"), "not an image name either");
        var output = Path.Combine(_output, "evaluation");

        var (exitCode, stdout, stderr) = await RunAsync("evaluate", images, "--methods", "gradcam,eigencam", "--frames", "3", "--out", output);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("notes.png: skipped", stderr);
        var markdown = File.ReadAllText(Path.Combine(output, "evaluation.md"));
        Assert.Contains(markdown, stdout);
        Assert.Contains("3 points per curve (2 equal steps", markdown);
        Assert.Contains("over a blur baseline, deletion sets them to black", markdown);
        Assert.Contains("score: softmax probability of the full image's top-1 class", markdown);
        Assert.Contains("Skipped notes.png", markdown);

        var perImage = Csv(Path.Combine(output, "evaluation-images.csv"));
        Assert.Equal(4, perImage.Count);
        var summary = Csv(Path.Combine(output, "evaluation.csv"));
        Assert.Equal(["eigencam", "gradcam"], summary.Select(r => r["method"]).Order());
        foreach (var row in summary)
        {
            var mine = perImage.Where(r => r["method"] == row["method"]).ToList();
            Assert.Equal("2", row["n"]);
            Assert.Equal(("3", "2", "blur", "black"), (row["frames"], row["steps"], row["insertion_baseline"], row["deletion_baseline"]));
            foreach (var curve in new[] { "insertion_auc", "deletion_auc" })
            {
                var values = mine.Select(r => double.Parse(r[curve], CultureInfo.InvariantCulture)).ToArray();
                Assert.Equal(values.Average(), double.Parse(row[curve + "_mean"], CultureInfo.InvariantCulture), 1e-5);
                Assert.Equal(Math.Abs(values[0] - values[1]) / Math.Sqrt(2), double.Parse(row[curve + "_sd"], CultureInfo.InvariantCulture), 1e-5);
                Assert.Contains($"| {row["method"]} | 2 |", markdown);
            }
        }
    }

    [Fact]
    public async Task Evaluate_refuses_a_folder_without_images()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_output, "empty")).FullName;

        var (exitCode, _, stderr) = await RunAsync("evaluate", empty, "--out", Path.Combine(_output, "evaluation"));

        Assert.Equal(CliApp.ExitFailure, exitCode);
        Assert.StartsWith("error: no images", stderr);
    }

    /// <summary>Rows of a CSV whose quoted fields hold no commas, by header name.</summary>
    private static List<Dictionary<string, string>> Csv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines[1..].Select(line => header.Zip(line.Split(',')).ToDictionary(p => p.First, p => p.Second.Trim('"'))).ToList();
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
