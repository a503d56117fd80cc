using System.Globalization;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using Xunit.Abstractions;

namespace SaliencySlider.Engine.Tests.Parity;

/// <summary>
/// The engine's Grad-CAM against PyTorch autograd Grad-CAM (pytorch-grad-cam's recipe) on every torchvision family,
/// at the layer pytorch-grad-cam recommends for it: same weights, same input tensor, same target class.
/// </summary>
public sealed class GradCamParityTests(TorchParityCases cases, ITestOutputHelper output) : IClassFixture<TorchParityCases>
{
    private const double MinCosine = 0.9999;

    /// <summary>Largest |engine − PyTorch| over the CAM, relative to the largest value of PyTorch's CAM.</summary>
    private const double MaxRelativeError = 1e-3;

    /// <summary>The cases of bench/baseline/parity_families.py (listed here so that a missing case fails).</summary>
    public static TheoryData<string> Cases =>
    [
        "resnet50", "resnext50_32x4d", "vgg16_bn", "alexnet", "densenet121", "googlenet", "inception_v3",
        "mobilenet_v3_large", "efficientnet_b0", "efficientnet_v2_s", "mnasnet1_0", "shufflenet_v2_x1_0",
        "squeezenet1_1", "regnet_y_400mf", "convnext_tiny", "convnext_tiny-opset17", "swin_t", "vit_b_16",
        "vit_b_16-opset17", "maxvit_t",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Engine_GradCam_matches_PyTorch_autograd_GradCam(string name)
    {
        var torch = cases.Load(name);
        // As the CLI loads a model: a manifest naming the target layer and its layout, or a bare .onnx whose input
        // size comes from the graph and whose layer is the request's.
        var entry = ModelEntry.FromFile(torch.ModelFile);
        using var model = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpThreads = 2 });
        Assert.Equal((torch.Input[1], torch.Input[0]), (model.InputWidth, model.InputHeight));
        var settings = new ExplainSettings { TargetLayer = torch.Bare ? torch.Target : null, FrameCount = 3, MaxFrameSide = 64 };
        var explainer = new Explainer(model);

        var image = CamComparison.WithInput(explainer.Prepare(File.ReadAllBytes(TestPaths.Image("chelsea.png")), settings), torch.Floats("input.f32"));
        Assert.Equal(torch.Target, image.TargetLayer);
        var gradients = explainer.ComputeGradients([image]);
        var diagnosis = Diagnosis(torch, gradients);
        CamExplanation explanation;
        try
        {
            explanation = explainer.Explain(image, gradients, 0);
        }
        catch (UnsupportedModelException e)
        {
            output.WriteLine($"{name}: {e.Message}; {diagnosis}");
            throw new InvalidOperationException($"{name}: no CAM ({e.Message}); {diagnosis}", e);
        }

        var (cosine, relativeError) = CamComparison.Compare(explanation.Cam, torch.Floats("cam.f32"));
        var report = string.Create(CultureInfo.InvariantCulture,
            $"{name}: cosine {cosine:F6}, max rel err {relativeError:E2}, class {gradients.TargetClasses[0]} (torch {torch.Top1}), "
            + $"CAM {explanation.CamHeight}x{explanation.CamWidth} (torch {torch.Cam[0]}x{torch.Cam[1]}); {diagnosis}");
        output.WriteLine(report);
        Assert.True(
            gradients.TargetClasses[0] == torch.Top1 && (explanation.CamHeight, explanation.CamWidth) == (torch.Cam[0], torch.Cam[1])
            && cosine >= MinCosine && relativeError <= MaxRelativeError,
            report);
    }

    /// <summary>
    /// The target tensor's activations and gradients against PyTorch's, both in the graph's layout: tells a wrong
    /// backward pass (gradients differ) from a wrong tensor or layout (activations differ, or the CAM alone).
    /// </summary>
    private static string Diagnosis(ParityCase torch, GradientBatch gradients)
    {
        var (activationCosine, activationError) = CamComparison.Compare(gradients.Activations, torch.Floats("activation.f32"));
        var (gradientCosine, gradientError) = CamComparison.Compare(gradients.Gradients, torch.Floats("gradient.f32"));
        return string.Create(CultureInfo.InvariantCulture,
            $"layer {torch.Target} [{string.Join(", ", gradients.ActivationShape)}] ({torch.Layout}, opset {torch.Opset}): "
            + $"activations cosine {activationCosine:F6} rel err {activationError:E2}, gradients cosine {gradientCosine:F6} rel err {gradientError:E2}");
    }
}
