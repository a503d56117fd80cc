using System.Numerics.Tensors;

namespace SaliencySlider.Engine.Cam;

/// <summary>Bilinear upsampling of a CAM (pixel centres aligned, edges clamped, as OpenCV's INTER_LINEAR; or corners aligned, as torch's UpsamplingBilinear2d) and min–max scaling.</summary>
public static class CamUpsampler
{
    public static float[] Bilinear(ReadOnlySpan<float> map, int height, int width, int outHeight, int outWidth)
    {
        var result = new float[outHeight * outWidth];
        Interpolate(map, width, SampleAxis(height, outHeight), SampleAxis(width, outWidth), result);
        return result;
    }

    /// <summary>
    /// Bilinear resize with the corner pixels aligned (torch's UpsamplingBilinear2d, align_corners=True): output
    /// position i samples the source at i·(in − 1)/(out − 1) on each axis.
    /// </summary>
    public static void BilinearAlignedCorners(ReadOnlySpan<float> map, int height, int width, int outHeight, int outWidth, Span<float> result)
        => Interpolate(map, width, AlignedAxis(height, outHeight), AlignedAxis(width, outWidth), result);

    private static void Interpolate(ReadOnlySpan<float> map, int width, (int Low, int High, float Fraction)[] ys, (int Low, int High, float Fraction)[] xs, Span<float> result)
    {
        var outWidth = xs.Length;
        for (var y = 0; y < ys.Length; y++)
        {
            var (y0, y1, fy) = ys[y];
            for (var x = 0; x < outWidth; x++)
            {
                var (x0, x1, fx) = xs[x];
                var top = (map[(y0 * width) + x0] * (1 - fx)) + (map[(y0 * width) + x1] * fx);
                var bottom = (map[(y1 * width) + x0] * (1 - fx)) + (map[(y1 * width) + x1] * fx);
                result[(y * outWidth) + x] = (top * (1 - fy)) + (bottom * fy);
            }
        }
    }

    /// <summary>(x − min) / (max − min + 1e-7) as pytorch-grad-cam scales; all zeros for a constant map.</summary>
    public static float[] MinMaxNormalize(ReadOnlySpan<float> map)
    {
        var result = new float[map.Length];
        if (map.IsEmpty)
        {
            return result;
        }
        var min = TensorPrimitives.Min(map);
        TensorPrimitives.Subtract(map, min, result);
        TensorPrimitives.Divide(result, TensorPrimitives.Max(map) - min + 1e-7f, result);
        return result;
    }

    private static (int Low, int High, float Fraction)[] SampleAxis(int inSize, int outSize)
    {
        var samples = new (int, int, float)[outSize];
        var scale = (double)inSize / outSize;
        for (var i = 0; i < outSize; i++)
        {
            var source = Math.Clamp(((i + 0.5) * scale) - 0.5, 0, inSize - 1);
            var low = (int)Math.Floor(source);
            var high = Math.Min(low + 1, inSize - 1);
            samples[i] = (low, high, (float)(source - low));
        }
        return samples;
    }

    private static (int Low, int High, float Fraction)[] AlignedAxis(int inSize, int outSize)
    {
        var samples = new (int, int, float)[outSize];
        var scale = outSize > 1 ? (inSize - 1.0) / (outSize - 1.0) : 0;
        for (var i = 0; i < outSize; i++)
        {
            var source = scale * i;
            var low = Math.Min((int)source, inSize - 1);
            samples[i] = (low, Math.Min(low + 1, inSize - 1), (float)(source - low));
        }
        return samples;
    }
}
