using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SaliencySlider.Engine.Imaging;

/// <summary>
/// Resizes a region of an image as Pillow's bilinear <c>Image.resize</c> does (with its <c>box</c>), which is what
/// torchvision's antialiased Resize applies to PIL images, so the ImageNet models' preprocessing: a separable
/// triangle filter widened by the shrink factor (an area-weighted average when shrinking, plain bilinear when
/// enlarging), in Pillow's fixed-point arithmetic, horizontal pass first, each pass rounded to 8 bits.
/// </summary>
public static class ImageResampler
{
    /// <summary>Fraction bits of the fixed-point filter weights (Pillow's PRECISION_BITS: 32 − 8 − 2).</summary>
    private const int PrecisionBits = 22;

    public static RgbaImage Resample(RgbaImage image, ModelView region, int width, int height)
    {
        if (region.IsWholeImage(image) && width == image.Width && height == image.Height)
        {
            return image;
        }
        var horizontal = Weights.For(image.Width, region.X, region.X + region.Width, width);
        var vertical = Weights.For(image.Height, region.Y, region.Y + region.Height, height);
        // Only the source rows the vertical pass reads go through the horizontal one.
        var firstRow = vertical.Start[0];
        var lastRow = vertical.Start[height - 1] + vertical.Count[height - 1];
        var rows = new byte[width * (lastRow - firstRow) * 4];
        ResampleRows(image.Pixels, image.Width, firstRow, lastRow, horizontal, rows, width);
        var result = new byte[width * height * 4];
        ResampleColumns(rows, width, firstRow, vertical, result, height);
        return new RgbaImage(width, height, result);
    }

    /// <summary>The size of a region scaled so its longest side is at most <paramref name="maxSide"/> (never enlarged).</summary>
    public static (int Width, int Height) FitWithin(float width, float height, int maxSide)
    {
        var scale = Math.Min(1.0, maxSide / Math.Max(width, height));
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    private static void ResampleRows(byte[] source, int sourceWidth, int firstRow, int lastRow, Weights weights, byte[] destination, int width)
    {
        for (var y = firstRow; y < lastRow; y++)
        {
            var sourceRow = source.AsSpan(y * sourceWidth * 4, sourceWidth * 4);
            var destinationRow = MemoryMarshal.Cast<byte, uint>(destination.AsSpan((y - firstRow) * width * 4, width * 4));
            for (var x = 0; x < width; x++)
            {
                var pixels = MemoryMarshal.Cast<byte, uint>(sourceRow.Slice(weights.Start[x] * 4));
                var taps = weights.Taps(x);
                var sum = Rounding;
                for (var k = 0; k < taps.Length; k++)
                {
                    sum += Channels(pixels[k]) * taps[k];
                }
                destinationRow[x] = Pack(sum);
            }
        }
    }

    private static void ResampleColumns(byte[] rows, int width, int firstRow, Weights weights, byte[] destination, int height)
    {
        var source = MemoryMarshal.Cast<byte, uint>(rows.AsSpan());
        for (var y = 0; y < height; y++)
        {
            var start = weights.Start[y] - firstRow;
            var taps = weights.Taps(y);
            var destinationRow = MemoryMarshal.Cast<byte, uint>(destination.AsSpan(y * width * 4, width * 4));
            for (var x = 0; x < width; x++)
            {
                var sum = Rounding;
                for (var k = 0; k < taps.Length; k++)
                {
                    sum += Channels(source[((start + k) * width) + x]) * taps[k];
                }
                destinationRow[x] = Pack(sum);
            }
        }
    }

    private static readonly Vector128<int> Rounding = Vector128.Create(1 << (PrecisionBits - 1));

    /// <summary>An RGBA pixel's four bytes as four ints.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Channels(uint pixel)
        => Vector128.WidenLower(Vector128.WidenLower(Vector128.CreateScalarUnsafe(pixel).AsByte())).AsInt32();

    /// <summary>Pillow's clip8 of each channel, packed back into an opaque RGBA pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Pack(Vector128<int> sum)
    {
        var clipped = Vector128.Clamp(Vector128.ShiftRightArithmetic(sum, PrecisionBits), Vector128<int>.Zero, Vector128.Create(255));
        return (uint)clipped.GetElement(0) | ((uint)clipped.GetElement(1) << 8) | ((uint)clipped.GetElement(2) << 16) | 0xFF000000u;
    }

    /// <summary>For each output pixel along one axis: the first source pixel it reads and the fixed-point weights.</summary>
    private sealed class Weights
    {
        private readonly int[] _taps;
        private readonly int _stride;

        private Weights(int outputs, int stride)
        {
            Start = new int[outputs];
            Count = new int[outputs];
            _taps = new int[outputs * stride];
            _stride = stride;
        }

        public int[] Start { get; }
        public int[] Count { get; }

        public ReadOnlySpan<int> Taps(int output) => _taps.AsSpan(output * _stride, Count[output]);

        /// <summary>Pillow's precompute_coeffs and normalize_coeffs_8bpc for the bilinear (triangle) filter.</summary>
        public static Weights For(int inputSize, double from, double to, int outputSize)
        {
            var scale = (to - from) / outputSize;
            var filterScale = Math.Max(scale, 1.0);
            var support = filterScale;
            var inverse = 1.0 / filterScale;
            var weights = new Weights(outputSize, ((int)Math.Ceiling(support) * 2) + 1);
            var exact = new double[weights._stride];
            for (var i = 0; i < outputSize; i++)
            {
                var center = from + ((i + 0.5) * scale);
                var first = Math.Max((int)(center - support + 0.5), 0);
                var count = Math.Min((int)(center + support + 0.5), inputSize) - first;
                double total = 0;
                for (var k = 0; k < count; k++)
                {
                    exact[k] = Math.Max(0, 1 - Math.Abs((first + k - center + 0.5) * inverse));
                    total += exact[k];
                }
                weights.Start[i] = first;
                weights.Count[i] = count;
                var taps = weights._taps.AsSpan(i * weights._stride, count);
                for (var k = 0; k < count; k++)
                {
                    var weight = total == 0 ? 0 : exact[k] / total;
                    taps[k] = (int)(weight < 0 ? -0.5 + (weight * (1 << PrecisionBits)) : 0.5 + (weight * (1 << PrecisionBits)));
                }
            }
            return weights;
        }
    }
}
