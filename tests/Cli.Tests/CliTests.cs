using System.Text.Json;
using SaliencySlider.Cli;

namespace SaliencySlider.Cli.Tests;

/// <summary>`saliency explain` run in-process, as a user would run it.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("saliency-cli-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Fact]
    public async Task Explain_writes_result_cam_heatmap_overlay_and_frames()
    {
        var (exitCode, stdout, stderr) = await RunAsync("explain", TestPaths.Image("chelsea.png"), "--out", _output);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("timings ms: decode", stdout);

        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(_output, "result.json")));
        var root = result.RootElement;
        Assert.Equal("mobilenet_v2_1.0_224", root.GetProperty("model").GetString());
        Assert.Equal("gradcam", root.GetProperty("method").GetString());
        Assert.Equal("MobilenetV2/Conv_1/Relu6", root.GetProperty("layer").GetProperty("name").GetString());
        Assert.Equal([1, 1280, 7, 7], root.GetProperty("layer").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var target = root.GetProperty("target");
        Assert.InRange(target.GetProperty("index").GetInt32(), 281, 285); // a cat
        Assert.False(string.IsNullOrEmpty(target.GetProperty("label").GetString()));
        var topK = root.GetProperty("topK").EnumerateArray().ToList();
        Assert.Equal(5, topK.Count);
        Assert.Equal(target.GetProperty("index").GetInt32(), topK[0].GetProperty("index").GetInt32());
        Assert.All(topK, entry => Assert.InRange(entry.GetProperty("probability").GetDouble(), 0, 1));

        var curve = root.GetProperty("insertionCurve").EnumerateArray().ToList();
        Assert.Equal(21, curve.Count);
        Assert.Equal(Enumerable.Range(0, 21), curve.Select(point => point.GetProperty("frame").GetInt32()));
        Assert.Equal(0, curve[0].GetProperty("p").GetDouble());
        Assert.Equal(1, curve[^1].GetProperty("p").GetDouble());
        Assert.Equal(target.GetProperty("probability").GetDouble(), curve[^1].GetProperty("targetProbability").GetDouble(), 1e-5);
        Assert.True(curve[^1].GetProperty("top1").TryGetProperty("label", out _));
        Assert.InRange(root.GetProperty("insertionAuc").GetDouble(), 0, 1);
        Assert.False(root.TryGetProperty("deletionAuc", out _));
        var timings = root.GetProperty("timingsMs");
        foreach (var stage in new[] { "decode", "gradient", "cam", "framesInference", "render", "total" })
        {
            Assert.True(timings.GetProperty(stage).GetDouble() > 0, stage);
        }

        var (shape, cam, _) = NpyReader.Read(File.ReadAllBytes(Path.Combine(_output, "cam.npy")));
        Assert.Equal([7, 7], shape);
        Assert.All(cam, v => Assert.True(v >= 0));
        Assert.Contains(cam, v => v > 0);

        Assert.True(FileMagic.IsPng(File.ReadAllBytes(Path.Combine(_output, "heatmap.png"))));
        Assert.True(FileMagic.IsPng(File.ReadAllBytes(Path.Combine(_output, "overlay.png"))));
        var frames = Directory.GetFiles(Path.Combine(_output, "frames")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 21).Select(i => $"frame_{i:00}.jpg"), frames);
        Assert.All(frames, name => Assert.True(FileMagic.IsJpeg(File.ReadAllBytes(Path.Combine(_output, "frames", name!)))));
    }

    [Fact]
    public async Task Non_image_input_exits_non_zero_with_one_line()
    {
        var notAnImage = Path.Combine(_output, "notes.png");
        File.WriteAllText(notAnImage, "these are notes, not pixels");

        var (exitCode, stdout, stderr) = await RunAsync("explain", notAnImage, "--out", Path.Combine(_output, "result"));

        Assert.Equal(CliApp.ExitFailure, exitCode);
        Assert.Equal("error: not a decodable image (expected JPEG, PNG, WebP, GIF or BMP)", stderr.TrimEnd());
        Assert.Empty(stdout);
        Assert.False(Directory.Exists(Path.Combine(_output, "result")));
    }

    [Theory]
    [InlineData(CliApp.ExitFailure, "image not found", "explain", "missing.png")]
    [InlineData(CliApp.ExitFailure, "frame count 1 is outside 2..101", "explain", "chelsea.png", "--frames", "1")]
    [InlineData(CliApp.ExitUsage, "'ablationcam' not recognized", "explain", "chelsea.png", "--method", "ablationcam")]
    [InlineData(CliApp.ExitFailure, "Score-CAM channel cap -1 is outside 1..8192", "explain", "chelsea.png", "--method", "scorecam", "--score-channels", "-1")]
    [InlineData(CliApp.ExitUsage, "Required argument missing", "explain")]
    [InlineData(CliApp.ExitFailure, "CUDA execution provider", "explain", "chelsea.png", "--provider", "cuda")]
    [InlineData(CliApp.ExitFailure, "(per-image shape [1280, 7, 7]) as tokens, which needs a [N, T, C] tensor", "explain", "chelsea.png", "--target-layout", "tokens")]
    [InlineData(CliApp.ExitFailure, "\"prefixTokens\" needs \"targetLayout\": \"tokens\"", "explain", "chelsea.png", "--prefix-tokens", "1")]
    [InlineData(CliApp.ExitUsage, "--target-layout and --prefix-tokens apply to in-process runs", "explain", "chelsea.png", "--target-layout", "nhwc", "--server", "localhost:1")]
    public async Task Bad_arguments_exit_non_zero_with_one_line(int expectedExitCode, string expectedMessage, params string[] args)
    {
        var resolved = args.Select(a => a == "chelsea.png" ? TestPaths.Image(a) : a).Append("--out").Append(_output).ToArray();

        var (exitCode, _, stderr) = await RunAsync(resolved);

        Assert.Equal(expectedExitCode, exitCode);
        Assert.Contains(expectedMessage, stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Target_layout_flag_overrides_the_inferred_layout()
    {
        var model = Path.Combine(_output, "channels_last.onnx");
        File.WriteAllBytes(model, TargetLayoutModel.Build(Engine.Cam.TargetLayout.Nhwc, out _));
        var image = TestPaths.Image("chelsea.png");

        var inferred = await RunAsync("explain", image, "--model", model, "--frames", "2", "--out", Path.Combine(_output, "inferred"));
        var stated = await RunAsync("explain", image, "--model", model, "--frames", "2", "--target-layout", "nchw", "--out", Path.Combine(_output, "stated"));

        Assert.True(inferred.ExitCode == 0, inferred.Stderr);
        Assert.True(stated.ExitCode == 0, stated.Stderr);
        Assert.Equal([1, 6, 4, 4], LayerShape(Path.Combine(_output, "inferred")));
        Assert.Equal([1, 4, 4, 6], LayerShape(Path.Combine(_output, "stated")));
    }

    private static int[] LayerShape(string output)
    {
        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "result.json")));
        return result.RootElement.GetProperty("layer").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
