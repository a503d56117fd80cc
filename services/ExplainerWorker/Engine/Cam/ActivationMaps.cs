using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Cam;

/// <summary>One image's target-layer activations A and gradients ∂y/∂A, both [K, h, w] row-major.</summary>
public readonly struct ActivationMaps
{
    private readonly ReadOnlyMemory<float> _activations;
    private readonly ReadOnlyMemory<float> _gradients;

    public ActivationMaps(int channels, int height, int width, ReadOnlyMemory<float> activations, ReadOnlyMemory<float> gradients)
    {
        var size = channels * height * width;
        if (channels <= 0 || height <= 0 || width <= 0 || activations.Length != size || gradients.Length != size)
        {
            throw new ArgumentException($"activation maps [{channels}, {height}, {width}] need {size} activations and gradients, got {activations.Length} and {gradients.Length}");
        }
        Channels = channels;
        Height = height;
        Width = width;
        _activations = activations;
        _gradients = gradients;
    }

    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Positions => Height * Width;
    public ReadOnlySpan<float> Activations => _activations.Span;
    public ReadOnlySpan<float> Gradients => _gradients.Span;

    public ReadOnlySpan<float> ActivationChannel(int k) => _activations.Span.Slice(k * Positions, Positions);
    public ReadOnlySpan<float> GradientChannel(int k) => _gradients.Span.Slice(k * Positions, Positions);

    /// <summary>Row <paramref name="row"/> of a gradient run whose target layer is [K, h, w] per image.</summary>
    public static ActivationMaps FromBatchRow(GradientBatch batch, int row)
    {
        var shape = batch.ActivationShape;
        if (shape.Length != 3)
        {
            throw new UnsupportedModelException($"the target layer must be a [N, C, H, W] activation; its per-image shape is [{string.Join(", ", shape)}]");
        }
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, batch.BatchSize);
        var size = shape[0] * shape[1] * shape[2];
        return new ActivationMaps(
            shape[0], shape[1], shape[2],
            batch.Activations.AsMemory(row * size, size),
            batch.Gradients.AsMemory(row * size, size));
    }
}
