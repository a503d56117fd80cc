using System.Text.Json.Serialization;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Cam;

/// <summary>How one image's values of a target tensor are laid out (the batch dimension comes first in all three).</summary>
public enum TargetLayout
{
    /// <summary>[C, H, W]: ONNX's own layout, what Conv produces.</summary>
    [JsonStringEnumMemberName("nchw")]
    Nchw,

    /// <summary>[H, W, C]: channels last (Swin's stages, ConvNeXt's blocks).</summary>
    [JsonStringEnumMemberName("nhwc")]
    Nhwc,

    /// <summary>[T, C]: prefix tokens (class, distillation, register) followed by an H×W grid of patch tokens in row-major order.</summary>
    [JsonStringEnumMemberName("tokens")]
    Tokens,
}

/// <summary>
/// A target tensor read as <see cref="Channels"/> maps on a <see cref="Height"/>×<see cref="Width"/> grid.
/// <see cref="Infer"/> holds the rule for tensors whose layout nobody stated; it is documented in models/README.md.
/// </summary>
public sealed record TargetGrid(TargetLayout Layout, int Channels, int Height, int Width, int PrefixTokens = 0)
{
    public int Positions => Height * Width;

    /// <summary>Values of one image in the target tensor.</summary>
    public int ElementCount => (PrefixTokens + Positions) * Channels;

    /// <summary>
    /// The grid of a tensor whose per-image shape is <paramref name="shape"/> (batch dimension dropped) in a model
    /// whose input is <paramref name="inputHeight"/>×<paramref name="inputWidth"/>, or null when it has none:
    /// <list type="bullet">
    /// <item>[a, b, c] is NCHW (c maps of b×c), unless b×c is no plausible grid for the input while a×b is: then NHWC.</item>
    /// <item>[T, C] is tokens when the largest patch grid of the input with at most T cells leaves fewer prefix tokens than its shorter side.</item>
    /// </list>
    /// </summary>
    public static TargetGrid? Infer(IReadOnlyList<int> shape, int inputHeight, int inputWidth)
    {
        if (shape.Count == 3)
        {
            var (a, b, c) = (shape[0], shape[1], shape[2]);
            return !IsPlausibleGrid(b, c, inputHeight, inputWidth) && IsPlausibleGrid(a, b, inputHeight, inputWidth)
                ? new TargetGrid(TargetLayout.Nhwc, c, a, b)
                : new TargetGrid(TargetLayout.Nchw, a, b, c);
        }

        if (shape.Count == 2)
        {
            var (tokens, channels) = (shape[0], shape[1]);
            var grid = (Height: 0, Width: 0);
            foreach (var candidate in PatchGrids(inputHeight, inputWidth))
            {
                var cells = candidate.Height * candidate.Width;
                if (cells <= tokens && cells > grid.Height * grid.Width)
                {
                    grid = candidate;
                }
            }

            var prefix = tokens - (grid.Height * grid.Width);
            return grid.Height > 0 && prefix < Math.Min(grid.Height, grid.Width)
                ? new TargetGrid(TargetLayout.Tokens, channels, grid.Height, grid.Width, prefix)
                : null;
        }

        return null;
    }

    /// <summary>
    /// The grid of target tensor <paramref name="layer"/>: as stated (<paramref name="layout"/>, and for tokens
    /// <paramref name="prefixTokens"/>, each null for "infer it"), else as <see cref="Infer"/> reads it.
    /// </summary>
    public static TargetGrid Resolve(string layer, IReadOnlyList<int> shape, int inputHeight, int inputWidth, TargetLayout? layout, int? prefixTokens)
    {
        var described = $"target layer '{layer}' (per-image shape [{string.Join(", ", shape)}])";
        if (shape.Count is not (2 or 3) || shape.Any(d => d <= 0))
        {
            throw new UnsupportedModelException(
                $"Cannot explain {described}: a target layer must be [N, C, H, W], [N, H, W, C] or tokens [N, T, C].");
        }

        if (layout is TargetLayout.Nchw or TargetLayout.Nhwc && shape.Count != 3)
        {
            throw new UnsupportedModelException(
                $"Cannot read {described} as {Name(layout.Value)}, which needs a 4-D tensor; a [N, T, C] tensor is read as 'tokens'.");
        }

        if (layout is TargetLayout.Tokens && shape.Count != 2)
        {
            throw new UnsupportedModelException(
                $"Cannot read {described} as tokens, which needs a [N, T, C] tensor; a 4-D tensor is 'nchw' or 'nhwc'.");
        }

        if (layout == TargetLayout.Nchw)
        {
            return new TargetGrid(TargetLayout.Nchw, shape[0], shape[1], shape[2]);
        }

        if (layout == TargetLayout.Nhwc)
        {
            return new TargetGrid(TargetLayout.Nhwc, shape[2], shape[0], shape[1]);
        }

        if (prefixTokens is { } prefix && shape.Count == 2)
        {
            return StatedTokens(described, shape[0], shape[1], prefix, inputHeight, inputWidth);
        }

        return Infer(shape, inputHeight, inputWidth)
            ?? throw new UnsupportedModelException(
                $"Cannot read {described} as tokens: no patch grid of the {inputWidth}x{inputHeight} input leaves fewer prefix tokens than a grid row. "
                + "State the number of prefix tokens (manifest \"prefixTokens\", CLI --prefix-tokens).");
    }

    /// <summary>
    /// <see cref="Resolve"/> for target tensor <paramref name="layer"/> of a run with a batch of one, whose
    /// whole shape (batch first) is <paramref name="shape"/>.
    /// </summary>
    public static TargetGrid OfTensor(string layer, IReadOnlyList<int> shape, int inputHeight, int inputWidth, TargetLayout? layout, int? prefixTokens)
    {
        if (shape.Count < 1 || shape[0] != 1)
        {
            throw new UnsupportedModelException($"target layer '{layer}' has shape [{string.Join(", ", shape)}], whose first dimension is not the batch");
        }

        return Resolve(layer, shape.Skip(1).ToArray(), inputHeight, inputWidth, layout, prefixTokens);
    }

    /// <summary>Writes one image's target values as [Channels, Height, Width] row-major maps.</summary>
    public void ToChannelMaps(ReadOnlySpan<float> source, Span<float> maps)
    {
        if (source.Length != ElementCount || maps.Length != Channels * Positions)
        {
            throw new ArgumentException($"a {this} grid reads {ElementCount} values into {Channels * Positions}, got {source.Length} and {maps.Length}");
        }

        if (Layout == TargetLayout.Nchw)
        {
            source.CopyTo(maps);
            return;
        }

        var cells = source[(PrefixTokens * Channels)..];
        for (var position = 0; position < Positions; position++)
        {
            var cell = cells.Slice(position * Channels, Channels);
            for (var k = 0; k < Channels; k++)
            {
                maps[(k * Positions) + position] = cell[k];
            }
        }
    }

    /// <summary>
    /// Whether an h×w feature map can come from an H×W input by one stride s on both axes, each side rounded
    /// either way (h − 1 &lt; H/s &lt; h + 1): true for every CNN feature map, false for a grid whose axes
    /// were downsampled differently, such as the [7, 768] that NCHW makes of Swin's [7, 7, 768].
    /// </summary>
    public static bool IsPlausibleGrid(long h, long w, int inputHeight, int inputWidth)
    {
        if (h < 1 || w < 1)
        {
            return false;
        }

        var lowest = Math.Max(inputHeight / (h + 1.0), inputWidth / (w + 1.0));
        var highest = Math.Min(
            h > 1 ? inputHeight / (h - 1.0) : double.PositiveInfinity,
            w > 1 ? inputWidth / (w - 1.0) : double.PositiveInfinity);
        return lowest < highest;
    }

    /// <summary>The grids patches of P×P pixels make of the input (⌊H/P⌋×⌊W/P⌋, or ⌈H/P⌉×⌈W/P⌉ with padding), P ≥ 1.</summary>
    public static IEnumerable<(int Height, int Width)> PatchGrids(int inputHeight, int inputWidth)
    {
        for (var patch = 1; patch <= Math.Max(inputHeight, inputWidth); patch++)
        {
            var floor = (inputHeight / patch, inputWidth / patch);
            if (floor.Item1 > 0 && floor.Item2 > 0)
            {
                yield return floor;
            }

            yield return ((inputHeight + patch - 1) / patch, (inputWidth + patch - 1) / patch);
        }
    }

    private static TargetGrid StatedTokens(string described, int tokens, int channels, int prefix, int inputHeight, int inputWidth)
    {
        var cells = tokens - prefix;
        var grid = PatchGrids(inputHeight, inputWidth).FirstOrDefault(g => g.Height * g.Width == cells);
        if (prefix < 0 || grid.Height == 0)
        {
            var suggestion = Infer([tokens, channels], inputHeight, inputWidth) is { } inferred
                ? $" ({inferred.Height}x{inferred.Width} patches would leave {inferred.PrefixTokens})"
                : "";
            throw new UnsupportedModelException(
                $"Cannot read {described} as {prefix} prefix tokens and a patch grid: {cells} tokens form no patch grid of the {inputWidth}x{inputHeight} input{suggestion}.");
        }

        return new TargetGrid(TargetLayout.Tokens, channels, grid.Height, grid.Width, prefix);
    }

    private static string Name(TargetLayout layout) => layout.ToString().ToLowerInvariant();
}
