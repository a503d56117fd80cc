using System.Text.RegularExpressions;
using SaliencySlider.Engine.Explaining;
using L = SaliencySlider.Engine.Explaining.ExplainLimits;

namespace SaliencySlider.Deploy.Tests;

/// <summary>
/// Every place outside the code that states an explain option's range or default (the contract's comments, the docs,
/// the READMEs, the demo page's inputs, the Python package's defaults and docstrings) states the engine's
/// <see cref="ExplainLimits"/>, which the gateway, the worker and the CLI read. A failing row names the file to update.
/// </summary>
public sealed partial class DocumentedLimitsTests
{
    private static readonly string Frames = $"{L.MinFrameCount}..{L.MaxFrameCount}";
    private static readonly string Side = $"{L.MinFrameSide}..{L.MaxFrameSide}";
    private static readonly string TopK = $"{L.MinTopK}..{L.MaxTopK}";
    private static readonly string Channels = $"1..{L.MaxScoreCamChannels}";

    public static TheoryData<string, string> Statements => new()
    {
        { "protos/saliency/v1/saliency.proto", $"// Number of slider frames, {Frames}; default {L.DefaultFrameCount}." },
        { "protos/saliency/v1/saliency.proto", $"// Longest side of rendered frames in pixels, {Side}; default {L.DefaultMaxFrameSide}." },
        { "protos/saliency/v1/saliency.proto", $"// How many classes each Prediction lists, {TopK}; default {L.DefaultTopK}." },
        { "protos/saliency/v1/saliency.proto", $"most (\"Faster Score-CAM\"), {Channels} (N at least" },
        { "protos/saliency/v1/saliency.proto", $"every channel on CUDA\n  // workers and {L.CpuScoreCamChannels} on CPU workers." },
        { "docs/API.md", $"{L.DefaultFrameCount} frames ({Frames})" },
        { "docs/API.md", $"{L.DefaultMaxFrameSide} px longest side ({Side})" },
        { "docs/API.md", $"top {L.DefaultTopK} ({TopK})" },
        { "docs/API.md", $"activation variance, {Channels} (a" },
        { "docs/API.md", $"\n{L.CpuScoreCamChannels} on CPU workers" },
        { "docs/RELIABILITY.md", $"frame_count {Frames}, max_frame_side {Side}, top_k {TopK}" },
        { "docs/RELIABILITY.md", $"target_layer ≤ {L.MaxLayerNameLength} printable ASCII, score_cam_channels 0..{L.MaxScoreCamChannels}" },
        { "docs/FAITHFULNESS.md", $"(default {L.DefaultFrameCount}, at most {L.MaxFrameCount})" },
        { "docs/FAITHFULNESS.md", $"`--frames {L.MaxFrameCount}` gives the finest steps" },
        { "README.md", $"`--frames F` ({Frames})" },
        { "clients/Cli/README.md", $"| `--frames` | {L.DefaultFrameCount} | slider frames, {Frames}," },
        { "clients/Cli/README.md", $"| `--max-side` | {L.DefaultMaxFrameSide} |" },
        { "clients/Cli/README.md", $"| `--top-k` | {L.DefaultTopK} |" },
        { "clients/Cli/README.md", $"Score-CAM\"), {Channels}; 0: every channel on CUDA, {L.CpuScoreCamChannels} on CPU |" },
        { "clients/python/src/saliency_slider/client.py", $"frames: slider frames, {Frames}." },
        { "clients/python/src/saliency_slider/client.py", $"in pixels ({Side}); None: the server's default ({L.DefaultMaxFrameSide})." },
        { "clients/python/src/saliency_slider/client.py", $"top_k: classes per prediction ({TopK}); None: the server's default ({L.DefaultTopK})." },
        { "clients/python/src/saliency_slider/cli.py", $"\"--frames\", type=int, default={L.DefaultFrameCount}, help=\"slider frames, {Frames}\"" },
        { "clients/python/src/saliency_slider/cli.py", $"\"--max-side\", type=int, default={L.DefaultMaxFrameSide}," },
    };

    [Theory]
    [MemberData(nameof(Statements))]
    public void The_document_states_the_engines_limit(string file, string statement)
    {
        var text = File.ReadAllText(RepositoryPaths.Combine(file)).ReplaceLineEndings("\n");

        Assert.True(text.Contains(statement, StringComparison.Ordinal), $"{file} no longer says \"{statement}\" (services/Engine/Explaining/ExplainLimits.cs)");
    }

    [Fact]
    public void The_python_package_defaults_frames_as_the_server_does()
    {
        var client = File.ReadAllText(RepositoryPaths.Combine("clients/python/src/saliency_slider/client.py"));

        var defaults = FramesDefault().Matches(client).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Assert.Equal(2, defaults.Count); // explain and stream
        Assert.All(defaults, d => Assert.Equal(L.DefaultFrameCount, d));
    }

    /// <summary>The demo reads its frame bounds and default from this input (clients/DemoWeb/src/main.ts).</summary>
    [Fact]
    public void The_demo_pages_frame_input_has_the_engines_bounds_and_default()
    {
        var page = File.ReadAllText(RepositoryPaths.Combine("clients/DemoWeb/index.html"));

        var input = Assert.Single(FrameCountInput().Matches(page)).Value;

        Assert.Equal(
            ($"{L.MinFrameCount}", $"{L.MaxFrameCount}", $"{L.DefaultFrameCount}"),
            (Attribute(input, "min"), Attribute(input, "max"), Attribute(input, "value")));
    }

    private static string Attribute(string element, string name)
        => Regex.Match(element, $@"\s{name}=""([^""]*)""").Groups[1].Value;

    [GeneratedRegex(@"\bframes: int = (\d+)")]
    private static partial Regex FramesDefault();

    [GeneratedRegex(@"<input\s[^>]*\bid=""frame-count""[^>]*>")]
    private static partial Regex FrameCountInput();
}
