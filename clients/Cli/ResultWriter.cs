using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Rendering;

namespace SaliencySlider.Cli;

/// <summary>
/// Writes an explanation's events to the output folder, in either mode (the remote mode maps the streamed
/// contract events to the engine's): heatmap.png and cam.npy from the explanation, frames/ as they come,
/// overlay.png and result.json at the end.
/// </summary>
internal sealed class ResultWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly string _imagePath;
    private readonly string _outputDirectory;
    private readonly ExplanationSource _source;
    private readonly string _framesDirectory;
    private readonly SortedDictionary<int, SliderFrame> _frames = [];
    private ExplanationReady? _ready;
    private ExplanationCompleted? _completed;
    private double? _queueMs;

    public ResultWriter(string imagePath, string outputDirectory, ExplanationSource source)
    {
        _imagePath = imagePath;
        _outputDirectory = outputDirectory;
        _source = source;
        _framesDirectory = Path.Combine(outputDirectory, "frames");
        Directory.CreateDirectory(_framesDirectory);
        foreach (var stale in Directory.EnumerateFiles(_framesDirectory, "frame_*"))
        {
            File.Delete(stale);
        }
    }

    public int FramesReceived => _frames.Count;
    public int FrameCount => _ready?.FrameCount ?? 0;

    public void Add(ExplainEvent explainEvent)
    {
        switch (explainEvent)
        {
            case ExplanationReady ready:
                _ready = ready;
                File.WriteAllBytes(OutputPath("heatmap.png"), ready.HeatmapPng);
                NpyWriter.Write(OutputPath("cam.npy"), ready.Cam, ready.CamHeight, ready.CamWidth);
                break;
            case SliderFrame frame:
                _frames[frame.Index] = frame;
                File.WriteAllBytes(Path.Combine(_framesDirectory, FrameFileName(frame)), frame.Image);
                break;
            case ExplanationCompleted completed:
                _completed = completed;
                break;
        }
    }

    /// <param name="queueMs">How long a server's job waited in the queue; null in-process.</param>
    public void Finish(double? queueMs = null)
    {
        if (_ready is null || _completed is null)
        {
            throw new InvalidOperationException("the explanation ended early");
        }
        if (_frames.Count != _ready.FrameCount || !_frames.TryGetValue(_ready.FrameCount - 1, out var fullImage))
        {
            throw new InvalidOperationException($"the explanation completed with {_frames.Count} of {_ready.FrameCount} frames");
        }

        _queueMs = queueMs;
        File.WriteAllBytes(OutputPath("overlay.png"), HeatmapRenderer.OverlayPng(fullImage.Image, _ready.HeatmapPng));
        File.WriteAllText(OutputPath("result.json"), JsonSerializer.Serialize(BuildResult(_ready, _completed), JsonOptions));
    }

    public string Summary()
    {
        var ready = _ready!;
        var completed = _completed!;
        var top1 = ready.Prediction.Top[0];
        var layerShape = ready.LayerShape.Count > 0 ? $" [{string.Join(", ", ready.LayerShape)}]" : "";
        var text = new StringBuilder();
        text.AppendLine(_source switch
        {
            LocalSource local => OriginLine.Local($"{local.Model.Name} ({local.Model.Classifier.ExecutionProvider})"),
            RemoteSource remote => OriginLine.Remote(remote.JobId, remote.Server),
            _ => throw new InvalidOperationException($"unknown source {_source}"),
        });
        text.AppendLine(CultureInfo.InvariantCulture, $"top-1     {top1.Index} {top1.Label} p={top1.Probability:0.0000}");
        text.AppendLine(CultureInfo.InvariantCulture, $"explained {ready.Prediction.TargetClass} {ready.Prediction.TargetLabel} with {ready.Method} on {ready.Layer}{layerShape}");
        text.Append(CultureInfo.InvariantCulture, $"insertion AUC {completed.InsertionAuc:0.0000}");
        text.AppendLine(completed.DeletionAuc is { } deletionAuc ? string.Create(CultureInfo.InvariantCulture, $", deletion AUC {deletionAuc:0.0000}") : "");
        if (_source is LocalSource { ModelLoadMs: var modelLoadMs })
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"model load and warm-up ms: {Format(modelLoadMs)}");
        }
        text.AppendLine(TimingsLine(completed.Timings, _queueMs));
        text.AppendLine(CultureInfo.InvariantCulture, $"wrote     {Path.GetFullPath(_outputDirectory)}");
        return text.ToString();
    }

    /// <param name="queueMs">A server's queue time, listed first when known.</param>
    public static string TimingsLine(StageTimings timings, double? queueMs = null)
        => "timings ms: " + (queueMs is { } queue ? $"queue {Format(queue)}, " : "")
            + $"decode {Format(timings.DecodeMs)}, gradient {Format(timings.GradientMs)}, cam {Format(timings.CamMs)}, "
            + $"frames inference {Format(timings.FramesInferenceMs)}, render {Format(timings.RenderMs)}, total {Format(timings.TotalMs)}";

    private static string Format(double milliseconds) => milliseconds.ToString("0.0", CultureInfo.InvariantCulture);

    private string OutputPath(string file) => Path.Combine(_outputDirectory, file);

    private string FrameFileName(SliderFrame frame)
    {
        var frameCount = _ready?.FrameCount ?? throw new InvalidOperationException("a frame came before the explanation");
        var digits = Math.Max(2, (frameCount - 1).ToString(CultureInfo.InvariantCulture).Length);
        var extension = frame.MimeType switch
        {
            "image/png" => ".png",
            "image/webp" => ".webp",
            _ => ".jpg",
        };
        return "frame_" + frame.Index.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0') + extension;
    }

    private object BuildResult(ExplanationReady ready, ExplanationCompleted completed)
    {
        var local = _source as LocalSource;
        var remote = _source as RemoteSource;
        var prediction = ready.Prediction;
        return new
        {
            Image = Path.GetFullPath(_imagePath),
            Server = remote?.Server,
            remote?.JobId,
            Model = local?.Model.Name,
            Onnx = local?.Model.Entry.OnnxPath,
            ExecutionProvider = local?.Model.Classifier.ExecutionProvider,
            Input = local is { Model: var model }
                ? new { Width = model.InputWidth, Height = model.InputHeight, Resize = JsonSerializer.Serialize(model.Manifest.Resize, ModelManifest.JsonOptions).Trim('"') }
                : null,
            Method = ready.Method,
            Layer = new { Name = ready.Layer, Shape = ready.LayerShape.Count > 0 ? ready.LayerShape : null },
            Target = new { Index = prediction.TargetClass, Label = prediction.TargetLabel, Probability = prediction.TargetProbability },
            TopK = prediction.Top.Select(Score).ToArray(),
            Cam = new { File = "cam.npy", Height = ready.CamHeight, Width = ready.CamWidth },
            Frames = new
            {
                Count = ready.FrameCount,
                Width = ready.FrameWidth,
                Height = ready.FrameHeight,
                Baseline = local?.Settings.Baseline.ToString().ToLowerInvariant(),
                Format = local?.Settings.Format.ToString().ToLowerInvariant(),
                Files = _frames.Values.Select(frame => "frames/" + FrameFileName(frame)).ToArray(),
            },
            InsertionCurve = _frames.Values.Select(frame => new
            {
                Frame = frame.Index,
                P = frame.Percent / 100.0,
                TargetProbability = frame.TargetProbability,
                DeletionProbability = frame.DeletionProbability,
                Top1 = Score(frame.Prediction.Top[0]),
            }).ToArray(),
            InsertionAuc = completed.InsertionAuc,
            DeletionAuc = completed.DeletionAuc,
            ModelLoadMs = local?.ModelLoadMs,
            TimingsMs = new
            {
                Queue = _queueMs,
                Decode = completed.Timings.DecodeMs,
                Gradient = completed.Timings.GradientMs,
                Cam = completed.Timings.CamMs,
                FramesInference = completed.Timings.FramesInferenceMs,
                Render = completed.Timings.RenderMs,
                Total = completed.Timings.TotalMs,
            },
        };
    }

    private static object Score(ClassScore score) => new { score.Index, score.Label, score.Probability, score.Logit };
}
