using Microsoft.Extensions.Logging;

namespace SaliencySlider.Engine.Inference;

/// <summary>Which ONNX Runtime execution provider a model runs on.</summary>
public enum ExecutionProviderPreference
{
    /// <summary>CUDA when the native CUDA provider loads, otherwise CPU.</summary>
    Auto,
    Cpu,
    Cuda,
}

public sealed record ClassifierModelOptions
{
    public ExecutionProviderPreference Provider { get; init; } = ExecutionProviderPreference.Auto;

    /// <summary>ONNX Runtime intra-op threads; 0 lets ONNX Runtime decide.</summary>
    public int IntraOpThreads { get; init; }
}

/// <summary>Logits, target-layer activations and their gradients for one batch, from one session run.</summary>
public sealed class GradientBatch
{
    public required int BatchSize { get; init; }
    public required int ClassCount { get; init; }

    /// <summary>[N, K] scores before softmax.</summary>
    public required float[] Logits { get; init; }

    /// <summary>[N] the class whose score was differentiated (top-1 of the same run unless given).</summary>
    public required int[] TargetClasses { get; init; }

    /// <summary>Shape of one image's activations, e.g. [C, h, w].</summary>
    public required int[] ActivationShape { get; init; }

    /// <summary>[N, ...ActivationShape] activations of the target layer.</summary>
    public required float[] Activations { get; init; }

    /// <summary>[N, ...ActivationShape] d(target score)/d(activations).</summary>
    public required float[] Gradients { get; init; }
}

/// <summary>
/// An ONNX image classifier prepared for explanation: a plain forward session, and per target layer
/// a session whose graph also returns the target activations and the gradient of the target class's
/// score with respect to them (the backward pass written into the graph).
/// </summary>
public sealed partial class ClassifierModel : IDisposable
{
    public static ClassifierModel Load(string onnxPath, ClassifierModelOptions? options = null, ILogger? logger = null)
        => throw new NotImplementedException();

    public string InputName { get; private set; } = "";
    public int InputChannels { get; private set; }
    public int InputHeight { get; private set; }
    public int InputWidth { get; private set; }
    public int ClassCount { get; private set; }

    /// <summary>The tensor that is explained: the graph's scores before any final Softmax/LogSoftmax.</summary>
    public string LogitsName { get; private set; } = "";

    /// <summary>The last 4-D activation before spatial pooling.</summary>
    public string DefaultTargetLayer { get; private set; } = "";

    /// <summary>"CUDA" or "CPU".</summary>
    public string ExecutionProvider { get; private set; } = "CPU";

    /// <summary>False when the graph only runs with a batch of 1; callers then run images one at a time.</summary>
    public bool SupportsBatching { get; private set; }

    /// <summary>Static shape (batch dimension included, as 1) of any tensor of the graph.</summary>
    public IReadOnlyList<int> TensorShape(string tensorName) => throw new NotImplementedException();

    /// <summary>Logits [N, K] for a batch of preprocessed NCHW inputs.</summary>
    public float[] Forward(ReadOnlySpan<float> input, int batch) => throw new NotImplementedException();

    /// <summary>
    /// One run returning logits, activations and gradients. <paramref name="targetClasses"/> holds one
    /// class per image, or -1 for the image's top-1 prediction.
    /// </summary>
    public GradientBatch ForwardWithGradients(ReadOnlySpan<float> input, int batch, ReadOnlySpan<int> targetClasses, string? targetLayer = null)
        => throw new NotImplementedException();

    public void Dispose()
    {
    }
}
