using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Cam;

/// <summary>
/// One image's target-layer activations A and gradients ∂y/∂A, both [K, h, w] row-major, and for methods that score
/// channels with forward passes (<see cref="CamMethods.NeedsForwardPasses"/>) each channel's score [K].
/// </summary>
public readonly struct ActivationMaps
{
    private readonly ReadOnlyMemory<float> _activations;
    private readonly ReadOnlyMemory<float> _gradients;
    private readonly ReadOnlyMemory<float> _channelScores;

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

    /// <summary>[K] the target's score with each channel as a mask (NaN for a channel not scored); empty until scored.</summary>
    public ReadOnlySpan<float> ChannelScores => _channelScores.Span;

    /// <summary>These maps with <paramref name="scores"/> as <see cref="ChannelScores"/>.</summary>
    public ActivationMaps WithChannelScores(ReadOnlyMemory<float> scores)
    {
        if (scores.Length != Channels)
        {
            throw new ArgumentException($"{Channels} channels need {Channels} scores, got {scores.Length}", nameof(scores));
        }
        return new ActivationMaps(this, scores);
    }

    private ActivationMaps(ActivationMaps maps, ReadOnlyMemory<float> scores)
    {
        (Channels, Height, Width, _activations, _gradients, _channelScores) = (maps.Channels, maps.Height, maps.Width, maps._activations, maps._gradients, scores);
    }

    public ReadOnlySpan<float> ActivationChannel(int k) => _activations.Span.Slice(k * Positions, Positions);
    public ReadOnlySpan<float> GradientChannel(int k) => _gradients.Span.Slice(k * Positions, Positions);

    /// <summary>Row <paramref name="row"/> of a gradient run, its target tensor read as <paramref name="grid"/> says.</summary>
    public static ActivationMaps FromBatchRow(GradientBatch batch, int row, TargetGrid grid)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, batch.BatchSize);
        var size = batch.ActivationShape.Aggregate(1, (a, b) => a * b);
        if (size != grid.ElementCount)
        {
            throw new ArgumentException(
                $"a gradient run of per-image shape [{string.Join(", ", batch.ActivationShape)}] cannot be read as {grid}", nameof(grid));
        }

        var activations = batch.Activations.AsMemory(row * size, size);
        var gradients = batch.Gradients.AsMemory(row * size, size);
        if (grid.Layout != TargetLayout.Nchw)
        {
            activations = ChannelMaps(grid, activations.Span);
            gradients = ChannelMaps(grid, gradients.Span);
        }

        return new ActivationMaps(grid.Channels, grid.Height, grid.Width, activations, gradients);
    }

    private static float[] ChannelMaps(TargetGrid grid, ReadOnlySpan<float> values)
    {
        var maps = new float[grid.Channels * grid.Positions];
        grid.ToChannelMaps(values, maps);
        return maps;
    }
}
