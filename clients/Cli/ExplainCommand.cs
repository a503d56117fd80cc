using System.CommandLine;
using System.Diagnostics;
using SaliencySlider.Cli.Remote;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Imaging;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Cli;

/// <summary>`saliency explain IMAGE [options]`: runs the engine in-process and writes the results to a folder.</summary>
internal static class ExplainCommand
{
    internal static readonly Dictionary<string, BaselineKind> Baselines = new()
    {
        ["blur"] = BaselineKind.Blur,
        ["black"] = BaselineKind.Black,
        ["gray"] = BaselineKind.Gray,
    };

    private static readonly Dictionary<string, ResizePolicy> ResizePolicies = new()
    {
        ["squash"] = ResizePolicy.Squash,
        ["shorter-side-then-center-crop"] = ResizePolicy.ShorterSideThenCenterCrop,
    };

    private static readonly Dictionary<string, TargetLayout> TargetLayouts = new()
    {
        ["nchw"] = TargetLayout.Nchw,
        ["nhwc"] = TargetLayout.Nhwc,
        ["tokens"] = TargetLayout.Tokens,
    };

    private static readonly Dictionary<string, FrameFormat> Formats = new()
    {
        ["jpeg"] = FrameFormat.Jpeg,
        ["webp"] = FrameFormat.Webp,
        ["png"] = FrameFormat.Png,
    };

    internal static readonly Dictionary<string, ExecutionProviderPreference> Providers = new()
    {
        ["auto"] = ExecutionProviderPreference.Auto,
        ["cpu"] = ExecutionProviderPreference.Cpu,
        ["cuda"] = ExecutionProviderPreference.Cuda,
    };

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var image = new Argument<string>("IMAGE") { Description = "Image to explain (JPEG, PNG, WebP, GIF or BMP)" };
        var model = new Option<string?>("--model") { Description = "Model manifest (.json), .onnx file or model name; default: mobilenet_v2_1.0_224", HelpName = "MANIFEST_OR_ONNX" };
        var method = Choice("--method", "CAM method", CamMethods.NameOf(ExplainLimits.DefaultMethod), CamMethods.Names);
        var targetClass = new Option<int?>("--class") { Description = "Class index to explain; default: the top-1 prediction", HelpName = "N" };
        var layer = new Option<string?>("--layer") { Description = "Tensor to explain; default: the model's target layer", HelpName = "TENSOR" };
        var targetLayout = Choice("--target-layout", "Override the manifest's layout of the explained tensor; default: inferred from its shape", null, TargetLayouts.Keys);
        var prefixTokens = new Option<int?>("--prefix-tokens") { Description = "Tokens before the patch grid (with --target-layout tokens); default: inferred", HelpName = "N" };
        var frames = new Option<int>("--frames")
        {
            Description = $"Number of slider frames ({ExplainLimits.MinFrameCount}..{ExplainLimits.MaxFrameCount})",
            DefaultValueFactory = _ => ExplainLimits.DefaultFrameCount,
            HelpName = "F",
        };
        var baseline = Choice("--baseline", "What unrevealed pixels show", NameOf(Baselines, ExplainLimits.DefaultBaseline), Baselines.Keys);
        var resize = Choice("--resize", "Override the manifest's resize policy", null, ResizePolicies.Keys);
        var format = Choice("--format", "Encoding of the frames", NameOf(Formats, ExplainLimits.DefaultFormat), Formats.Keys);
        var maxSide = new Option<int>("--max-side")
        {
            Description = $"Longest side of the frames in pixels ({ExplainLimits.MinFrameSide}..{ExplainLimits.MaxFrameSide})",
            DefaultValueFactory = _ => ExplainLimits.DefaultMaxFrameSide,
            HelpName = "PX",
        };
        var topK = new Option<int>("--top-k")
        {
            Description = $"Classes listed per prediction ({ExplainLimits.MinTopK}..{ExplainLimits.MaxTopK})",
            DefaultValueFactory = _ => ExplainLimits.DefaultTopK,
            HelpName = "K",
        };
        var scoreChannels = new Option<int>("--score-channels")
        {
            Description = $"Score-CAM: channels to score, those of highest activation variance (1..{ExplainLimits.MaxScoreCamChannels}); 0: every channel on CUDA, {ExplainLimits.CpuScoreCamChannels} on CPU",
            DefaultValueFactory = _ => 0,
            HelpName = "N",
        };
        var deletion = new Option<bool>("--deletion") { Description = "Also compute the deletion curve (most salient pixels removed first, black baseline)" };
        var provider = Choice("--provider", "ONNX Runtime execution provider", "auto", Providers.Keys);
        var renderThreads = new Option<int>("--render-threads")
        {
            Description = "Frames rendered at once; 0: 1 on CPU, every core but one on CUDA",
            DefaultValueFactory = _ => 0,
            HelpName = "N",
        };
        var repeat = new Option<int>("--repeat") { Description = "Explain the image this many times (timings of each run are printed; files are from the last)", DefaultValueFactory = _ => 1, HelpName = "N" };
        var output = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => "saliency-out", HelpName = "DIR" };
        var server = ServerCommands.ServerOption(required: false);

        var command = new Command("explain", "Explain IMAGE (in-process, or on a server with --server) and write result.json, cam.npy, heatmap.png, overlay.png and frames/ to DIR")
        {
            image, model, method, targetClass, layer, targetLayout, prefixTokens, frames, baseline, resize, format, maxSide, topK, deletion, scoreChannels, provider, renderThreads, repeat, output, server,
        };
        command.SetAction(async (parse, ct) =>
        {
            _ = CamMethods.TryParse(parse.GetValue(method)!, out var methodKind);
            if (parse.GetValue(server) is { Length: > 0 } serverAddress)
            {
                if (parse.GetValue(targetLayout) is not null || parse.GetValue(prefixTokens) is not null)
                {
                    await stderr.WriteLineAsync("error: --target-layout and --prefix-tokens apply to in-process runs; a server reads them from its model manifest");
                    return CliApp.ExitUsage;
                }

                var options = new ExplainOptions
                {
                    Method = ContractEnums.ToContract(methodKind),
                    TargetLayer = parse.GetValue(layer) ?? "",
                    FrameCount = parse.GetValue(frames),
                    Baseline = ContractEnums.ToContract(Baselines[parse.GetValue(baseline)!]),
                    MaxFrameSide = parse.GetValue(maxSide),
                    FrameFormat = ContractEnums.ToContract(Formats[parse.GetValue(format)!]),
                    TopK = parse.GetValue(topK),
                    DeletionCurve = parse.GetValue(deletion),
                    ScoreCamChannels = parse.GetValue(scoreChannels),
                };
                if (parse.GetValue(targetClass) is { } classIndex)
                {
                    options.TargetClass = classIndex;
                }

                return await RemoteExplain.RunAsync(serverAddress, parse.GetValue(image)!, parse.GetValue(model), options, parse.GetValue(output)!,
                    stdout, stderr, interactive: ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected, ct);
            }

            var request = new ExplainRequest(
                ImagePath: parse.GetValue(image)!,
                Model: parse.GetValue(model),
                Resize: parse.GetValue(resize) is { } policy ? ResizePolicies[policy] : null,
                TargetLayout: parse.GetValue(targetLayout) is { } layout ? TargetLayouts[layout] : null,
                PrefixTokens: parse.GetValue(prefixTokens),
                Provider: Providers[parse.GetValue(provider)!],
                OutputDirectory: parse.GetValue(output)!,
                Repeat: parse.GetValue(repeat),
                RenderThreads: parse.GetValue(renderThreads),
                Settings: new ExplainSettings
                {
                    Method = methodKind,
                    TargetClass = parse.GetValue(targetClass),
                    TargetLayer = parse.GetValue(layer),
                    FrameCount = parse.GetValue(frames),
                    Baseline = Baselines[parse.GetValue(baseline)!],
                    MaxFrameSide = parse.GetValue(maxSide),
                    Format = Formats[parse.GetValue(format)!],
                    TopK = parse.GetValue(topK),
                    DeletionCurve = parse.GetValue(deletion),
                    ScoreCamChannels = parse.GetValue(scoreChannels) is not 0 and var channels ? channels : null,
                });
            return await RunAsync(request, stdout, stderr, ct);
        });
        return command;
    }

    internal static Option<string> Choice(string name, string description, string? defaultValue, IEnumerable<string> choices)
    {
        var values = choices.ToArray();
        var option = new Option<string>(name) { Description = description, HelpName = string.Join('|', values) };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }
        option.AcceptOnlyFromAmong(values);
        return option;
    }

    /// <summary>The command-line name of a choice's value (its default, say).</summary>
    internal static string NameOf<T>(Dictionary<string, T> choices, T value)
        where T : struct, Enum
        => choices.Single(choice => choice.Value.Equals(value)).Key;

    private static async Task<int> RunAsync(ExplainRequest request, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        try
        {
            if (!File.Exists(request.ImagePath))
            {
                throw new FileNotFoundException($"image not found: {request.ImagePath}");
            }
            var imageBytes = await File.ReadAllBytesAsync(request.ImagePath, ct);
            // Reject a non-image or bad settings before spending time on loading the model.
            ImageDecoder.Identify(imageBytes);
            ExplainSettingsValidator.Validate(request.Settings, classCount: int.MaxValue);
            if (request.Repeat < 1)
            {
                throw new ArgumentException($"--repeat must be at least 1, got {request.Repeat}");
            }
            if (request.RenderThreads is < 0 or > 64)
            {
                throw new ArgumentException($"--render-threads must be 0 (automatic) to 64, got {request.RenderThreads}");
            }
            var entry = ModelLocator.Resolve(request.Model);
            if (request.Resize is { } policy)
            {
                entry = entry with { Manifest = entry.Manifest with { Resize = policy } };
            }
            if (request.TargetLayout is not null || request.PrefixTokens is not null)
            {
                var manifest = entry.Manifest with
                {
                    TargetLayout = request.TargetLayout ?? entry.Manifest.TargetLayout,
                    PrefixTokens = request.PrefixTokens ?? (request.TargetLayout is null ? entry.Manifest.PrefixTokens : null),
                };
                manifest.Validate("with --target-layout/--prefix-tokens");
                entry = entry with { Manifest = manifest };
            }
            var loadClock = Stopwatch.StartNew();
            using var explainerModel = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = request.Provider });
            var renderThreads = request.RenderThreads > 0 ? request.RenderThreads : ExplainerOptions.DefaultRenderThreads(explainerModel.Classifier.ExecutionProvider);
            var explainer = new Explainer(explainerModel, new ExplainerOptions { RenderThreads = renderThreads });
            explainer.WarmUp(request.Settings.TargetLayer);
            var modelLoadMs = loadClock.Elapsed.TotalMilliseconds;
            for (var run = 1; run < request.Repeat; run++)
            {
                await foreach (var explainEvent in explainer.ExplainAsync(imageBytes, request.Settings, ct))
                {
                    if (explainEvent is ExplanationCompleted completed)
                    {
                        await stdout.WriteLineAsync($"run {run}: {ResultWriter.TimingsLine(completed.Timings)}");
                    }
                }
            }
            var writer = new ResultWriter(request.ImagePath, request.OutputDirectory, new LocalSource(explainerModel, modelLoadMs, request.Settings));
            await foreach (var explainEvent in explainer.ExplainAsync(imageBytes, request.Settings, ct))
            {
                writer.Add(explainEvent);
            }
            writer.Finish();
            await stdout.WriteAsync(writer.Summary());
            return CliApp.ExitOk;
        }
        catch (Exception e) when (IsInputError(e))
        {
            await stderr.WriteLineAsync($"error: {OneLine(e.Message)}");
            return CliApp.ExitFailure;
        }
    }

    /// <summary>Failures the user can act on (bad input, a missing file or model): one line on stderr and exit 1.</summary>
    internal static bool IsInputError(Exception e) => e is InvalidImageException or UnsupportedModelException or InvalidSettingsException
        or ArgumentException or IOException or KeyNotFoundException or UnauthorizedAccessException
        or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or ExecutionProviderUnavailableException;

    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}

internal sealed record ExplainRequest(
    string ImagePath,
    string? Model,
    ResizePolicy? Resize,
    TargetLayout? TargetLayout,
    int? PrefixTokens,
    ExecutionProviderPreference Provider,
    string OutputDirectory,
    int Repeat,
    int RenderThreads,
    ExplainSettings Settings);
