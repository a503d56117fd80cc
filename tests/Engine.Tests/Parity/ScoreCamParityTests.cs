using System.Globalization;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using Xunit.Abstractions;

namespace SaliencySlider.Engine.Tests.Parity;

/// <summary>
/// The engine's Score-CAM against pytorch-grad-cam's ScoreCAM run by PyTorch (bench/baseline/parity_scorecam.py) on
/// a torchvision ResNet-18 and on the served default model: same weights, same input tensor, same channels scored.
/// </summary>
public sealed class ScoreCamParityTests(TorchScoreCamCases cases, ITestOutputHelper output) : IClassFixture<TorchScoreCamCases>
{
    private const double MinCosine = 0.999;

    [Fact]
    public void ResNet18_ScoreCam_matches_PyTorch() => AssertMatches(cases.Load("resnet18"), ModelEntry.FromFile(Path.Combine(cases.Directory, "resnet18", "model.json")));

    [Fact]
    public void Default_model_ScoreCam_matches_PyTorch()
        => AssertMatches(cases.Load("mobilenet_v2"), ModelEntry.FromManifest(TestPaths.MobileNetManifest, TestPaths.ModelDirectory));

    private void AssertMatches(ScoreCamCase torch, ModelEntry entry)
    {
        using var model = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpThreads = 2 });
        var explainer = new Explainer(model, new ExplainerOptions { MaxImagesPerRun = 16 });
        var settings = new ExplainSettings { Method = CamMethodKind.ScoreCam, ScoreCamChannels = torch.Cap ?? ExplainLimits.MaxScoreCamChannels, FrameCount = 2, MaxFrameSide = 64 };
        var image = CamComparison.WithInput(explainer.Prepare(File.ReadAllBytes(TestPaths.Image("chelsea.png")), settings), torch.Floats("input.f32"));
        Assert.Equal(torch.Target, image.TargetLayer);

        var activations = explainer.ComputeGradients([image]);
        var scoring = explainer.PlanScoring(image, activations, 0);
        var scores = explainer.ScoreChannels(scoring);
        var explanation = explainer.Explain(image, activations, 0, scores);

        var torchScores = torch.Floats("scores.f32");
        var sameChannels = scores.Select(float.IsNaN).SequenceEqual(torchScores.Select(float.IsNaN));
        var scored = Enumerable.Range(0, scores.Length).Where(k => !float.IsNaN(torchScores[k])).ToArray();
        var (scoreCosine, scoreError) = CamComparison.Compare(scored.Select(k => scores[k]).ToArray(), scored.Select(k => torchScores[k]).ToArray());
        var (cosine, relativeError) = CamComparison.Compare(explanation.Cam, torch.Floats("cam.f32"));
        var report = string.Create(CultureInfo.InvariantCulture,
            $"{torch.Case}: cosine {cosine:F6}, max rel err {relativeError:E2}, class {activations.TargetClasses[0]} (torch {torch.Top1}), "
            + $"{scoring.Count} of {torch.Channels} channels scored (torch {torch.Scored}, same channels: {sameChannels}), "
            + $"scores cosine {scoreCosine:F6} max rel err {scoreError:E2}, CAM {explanation.CamHeight}x{explanation.CamWidth}");
        output.WriteLine(report);
        Assert.True(
            activations.TargetClasses[0] == torch.Top1 && sameChannels && scoring.Count == torch.Scored
            && (explanation.CamHeight, explanation.CamWidth) == (torch.Cam[0], torch.Cam[1]) && cosine >= MinCosine,
            report);
    }
}

/// <summary>The cases and PyTorch's Score-CAMs written by bench/baseline/parity_scorecam.py (see <see cref="PythonExport"/>), cached under .run/parity-scorecam.</summary>
public sealed class TorchScoreCamCases
{
    public TorchScoreCamCases()
    {
        Directory = PythonExport.Run(
            "parity_scorecam.py", RepositoryPaths.Combine(".run/parity-scorecam"),
            "--mobilenet", TestPaths.MobileNetOnnx, "--image", TestPaths.Image("chelsea.png"));
    }

    public string Directory { get; }

    public ScoreCamCase Load(string name) => PythonExport.LoadMeta<ScoreCamCase>(Directory, name) with { Folder = Path.Combine(Directory, name) };
}

/// <summary>One case of parity_scorecam.py (its meta.json).</summary>
public sealed record ScoreCamCase
{
    public string Folder { get; init; } = "";
    public required string Case { get; init; }

    /// <summary>The graph tensor explained.</summary>
    public required string Target { get; init; }
    public required int[] Cam { get; init; }
    public required int Top1 { get; init; }

    /// <summary>Channels scored by variance; null for every channel.</summary>
    public int? Cap { get; init; }
    public required int Channels { get; init; }
    public required int Scored { get; init; }

    public float[] Floats(string file) => PythonExport.Floats(Folder, file);
}
