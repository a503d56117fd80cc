using System.CommandLine;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;

namespace SaliencySlider.Cli.Comparing;

/// <summary>The options `compare` and `evaluate` share, and the engine settings and method list they mean.</summary>
internal sealed class ComparisonOptions
{
    public Option<string?> Model { get; } = new("--model") { Description = "Model manifest (.json), .onnx file or model name; default: mobilenet_v2_1.0_224", HelpName = "MANIFEST_OR_ONNX" };

    public Option<string[]> Methods { get; } = new("--methods")
    {
        Description = $"CAM methods to compare, comma-separated; default: all ({string.Join(",", CamMethods.Names)})",
        HelpName = "M[,M...]",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<int?> TargetClass { get; } = new("--class") { Description = "Class index whose probability is scored; default: the full image's top-1", HelpName = "N" };
    public Option<string?> Layer { get; } = new("--layer") { Description = "Tensor to explain; default: the model's target layer", HelpName = "TENSOR" };
    public Option<int> Frames { get; } = new("--frames")
    {
        Description = $"Points per curve ({ExplainLimits.MinFrameCount}..{ExplainLimits.MaxFrameCount}): frames - 1 equal steps",
        DefaultValueFactory = _ => ExplainLimits.DefaultFrameCount,
        HelpName = "F",
    };

    public Option<string> Baseline { get; } = ExplainCommand.Choice("--baseline", "What unrevealed pixels show on the insertion curve (deletion: black)",
        ExplainCommand.NameOf(ExplainCommand.Baselines, ExplainLimits.DefaultBaseline), ExplainCommand.Baselines.Keys);

    public Option<int> MaxSide { get; } = new("--max-side")
    {
        Description = $"Longest side of the heatmaps in pixels ({ExplainLimits.MinFrameSide}..{ExplainLimits.MaxFrameSide})",
        DefaultValueFactory = _ => ExplainLimits.DefaultMaxFrameSide,
        HelpName = "PX",
    };

    public Option<string> Provider { get; } = ExplainCommand.Choice("--provider", "ONNX Runtime execution provider", "auto", ExplainCommand.Providers.Keys);

    /// <summary>All but --max-side, which only compare has (evaluate writes no heatmaps).</summary>
    public IEnumerable<Option> Shared => [Model, Methods, TargetClass, Layer, Frames, Baseline, Provider];

    public ExplainSettings Settings(ParseResult parse) => new()
    {
        TargetClass = parse.GetValue(TargetClass),
        TargetLayer = parse.GetValue(Layer),
        FrameCount = parse.GetValue(Frames),
        Baseline = ExplainCommand.Baselines[parse.GetValue(Baseline)!],
        MaxFrameSide = parse.GetValue(MaxSide),
        DeletionCurve = true,
    };

    /// <summary>The methods asked for, in the order given; null when none were (every registered method).</summary>
    public IReadOnlyList<CamMethodKind>? MethodKinds(ParseResult parse)
    {
        var names = (parse.GetValue(Methods) ?? []).SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        if (names.Length == 0)
        {
            return null;
        }
        var kinds = new List<CamMethodKind>();
        foreach (var name in names)
        {
            if (!CamMethods.TryParse(name, out var kind))
            {
                throw new ArgumentException($"--methods: unknown method '{name}'; use {string.Join(", ", CamMethods.Names)}");
            }
            if (kinds.Contains(kind))
            {
                throw new ArgumentException($"--methods: '{name}' is named twice");
            }
            kinds.Add(kind);
        }
        return kinds;
    }

    /// <summary>Validates the settings, then loads and warms up the model (the slow part, so it comes last).</summary>
    public MethodComparer LoadComparer(ParseResult parse, ExplainSettings settings)
    {
        ExplainSettingsValidator.Validate(settings, classCount: int.MaxValue);
        var entry = ModelLocator.Resolve(parse.GetValue(Model));
        var model = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExplainCommand.Providers[parse.GetValue(Provider)!] });
        var explainer = new Explainer(model);
        explainer.WarmUp(settings.TargetLayer);
        return new MethodComparer(explainer);
    }
}
