using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Rendering;

namespace SaliencySlider.Cli;

/// <summary>Writes an explanation's events to the output folder: frames as they come, the rest at the end.</summary>
internal sealed class ResultWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly ExplainRequest _request;
    private readonly ExplainerModel _model;
    private readonly string _framesDirectory;
    private readonly SortedDictionary<int, SliderFrame> _frames = [];
    private ExplanationReady? _ready;
    private ExplanationCompleted? _completed;

    public ResultWriter(ExplainRequest request, ExplainerModel model)
    {
        _request = request;
        _model = model;
        Directory.CreateDirectory(request.OutputDirectory);
        _framesDirectory = Path.Combine(request.OutputDirectory, "frames");
        if (Directory.Exists(_framesDirectory))
        {
            foreach (var stale in Directory.EnumerateFiles(_framesDirectory, "frame_*"))
            {
                File.Delete(stale);
            }
        }
        Directory.CreateDirectory(_framesDirectory);
    }

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
                File.WriteAllBytes(Path.Combine(_framesDirectory, FrameFileName(frame.Index)), frame.Image);
                break;
            case ExplanationCompleted completed:
                _completed = completed;
                break;
        }
    }

    public void Finish()
    {
        if (_ready is null || _completed is null)
        {
            throw new InvalidOperationException("the explanation ended early");
        }
        var fullImage = _frames[_ready.FrameCount - 1];
        File.WriteAllBytes(OutputPath("overlay.png"), HeatmapRenderer.OverlayPng(fullImage.Image, _ready.HeatmapPng));
        File.WriteAllText(OutputPath("result.json"), JsonSerializer.Serialize(BuildResult(_ready, _completed), JsonOptions));
    }

    public string Summary()
    {
        var ready = _ready!;
        var timings = _completed!.Timings;
        var top1 = ready.Prediction.Top[0];
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"model     {_model.Name} ({_model.Classifier.ExecutionProvider})");
        text.AppendLine(CultureInfo.InvariantCulture, $"top-1     {top1.Index} {top1.Label} p={top1.Probability:0.0000}");
        text.AppendLine(CultureInfo.InvariantCulture, $"explained {ready.Prediction.TargetClass} {ready.Prediction.TargetLabel} with {ready.Method} on {ready.Layer} [{string.Join(", ", ready.LayerShape)}]");
        text.Append(CultureInfo.InvariantCulture, $"insertion AUC {_completed.InsertionAuc:0.0000}");
        text.AppendLine(_completed.DeletionAuc is { } deletionAuc ? string.Create(CultureInfo.InvariantCulture, $", deletion AUC {deletionAuc:0.0000}") : "");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"timings ms: decode {ExplainCommand.Format(timings.DecodeMs)}, gradient {ExplainCommand.Format(timings.GradientMs)}, cam {ExplainCommand.Format(timings.CamMs)}, frames inference {ExplainCommand.Format(timings.FramesInferenceMs)}, render {ExplainCommand.Format(timings.RenderMs)}, total {ExplainCommand.Format(timings.TotalMs)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"wrote     {Path.GetFullPath(_request.OutputDirectory)}");
        return text.ToString();
    }

    private string OutputPath(string file) => Path.Combine(_request.OutputDirectory, file);

    private string FrameFileName(int index)
    {
        var digits = Math.Max(2, (_request.Settings.FrameCount - 1).ToString(CultureInfo.InvariantCulture).Length);
        return "frame_" + index.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0') + ImageEncoder.FileExtension(_request.Settings.Format);
    }

    private object BuildResult(ExplanationReady ready, ExplanationCompleted completed)
    {
        var settings = _request.Settings;
        var prediction = ready.Prediction;
        return new
        {
            Image = Path.GetFullPath(_request.ImagePath),
            Model = _model.Name,
            Onnx = _model.Entry.OnnxPath,
            ExecutionProvider = _model.Classifier.ExecutionProvider,
            Input = new { Width = _model.InputWidth, Height = _model.InputHeight, Resize = _model.Manifest.Resize.ToString() },
            Method = ready.Method,
            Layer = new { Name = ready.Layer, Shape = ready.LayerShape },
            Target = new { Index = prediction.TargetClass, Label = prediction.TargetLabel, Probability = prediction.TargetProbability },
            TopK = prediction.Top.Select(Score).ToArray(),
            Cam = new { File = "cam.npy", Height = ready.CamHeight, Width = ready.CamWidth },
            Frames = new
            {
                Count = ready.FrameCount,
                Width = ready.FrameWidth,
                Height = ready.FrameHeight,
                Baseline = settings.Baseline.ToString().ToLowerInvariant(),
                Format = settings.Format.ToString().ToLowerInvariant(),
                Files = _frames.Keys.Select(i => "frames/" + FrameFileName(i)).ToArray(),
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
            TimingsMs = new
            {
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
