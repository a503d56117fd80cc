namespace SaliencySlider.Engine.Cam;

/// <summary>Bilinear upsampling of a CAM (pixel centres aligned, edges clamped, as OpenCV's INTER_LINEAR) and min–max scaling.</summary>
public static class CamUpsampler
{
    public static float[] Bilinear(ReadOnlySpan<float> map, int height, int width, int outHeight, int outWidth)
    {
        var result = new float[outHeight * outWidth];
        var xs = SampleAxis(width, outWidth);
        var ys = SampleAxis(height, outHeight);
        for (var y = 0; y < outHeight; y++)
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
        return result;
    }

    /// <summary>(x − min) / (max − min + 1e-7) as pytorch-grad-cam scales; all zeros for a constant map.</summary>
    public static float[] MinMaxNormalize(ReadOnlySpan<float> map)
    {
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        foreach (var v in map)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        var result = new float[map.Length];
        var range = max - min + 1e-7f;
        for (var i = 0; i < map.Length; i++)
        {
            result[i] = Math.Clamp((map[i] - min) / range, 0f, 1f);
        }
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
}
