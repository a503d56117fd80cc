namespace SaliencySlider.Cli.Tests.ModelImport;

/// <summary>Recovers uint8 per-tensor quantization (q, scale, zero point) from float values that were dequantized
/// from it, such that float32((q − zero_point) · scale) gives back every value bit for bit.</summary>
internal static class ExactQuantizer
{
    public static bool TryQuantize(float[] values, out byte[] quantized, out float scale, out long zeroPoint)
    {
        quantized = [];
        scale = 0;
        zeroPoint = 0;
        var distinct = values.Distinct().Order().ToArray();
        if (distinct.Length < 2 || distinct.Any(v => !float.IsFinite(v)))
        {
            return false;
        }
        var step = double.MaxValue;
        for (var i = 1; i < distinct.Length; i++)
        {
            step = Math.Min(step, (double)distinct[i] - distinct[i - 1]);
        }
        // Each value is k · scale for an integer k; the value with the largest |k| pins scale down most precisely.
        var steps = distinct.Select(v => Math.Round(v / step)).ToArray();
        var widest = Array.IndexOf(steps, steps.MaxBy(Math.Abs));
        var estimate = (float)(distinct[widest] / steps[widest]);
        for (var ulps = -8; ulps <= 8; ulps++)
        {
            var candidate = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(estimate) + ulps);
            if (candidate > 0 && Reconstructs(distinct, candidate, out var kMin, out var kMax) && kMax - kMin <= 255)
            {
                scale = candidate;
                zeroPoint = -kMin;
                var (s, zp) = (scale, zeroPoint);
                quantized = [.. values.Select(v => (byte)(Math.Round(v / (double)s) + zp))];
                return quantized.Select((q, i) => (float)(q - zp) * s == values[i]).All(ok => ok);
            }
        }
        return false;
    }

    /// <summary>int32 with a power-of-two scale (the smallest value's unit in the last place), so every q · scale is exact;
    /// fails when the values span more than 31 bits of magnitude.</summary>
    public static bool TryQuantizeInt32(float[] values, out int[] quantized, out float scale)
    {
        quantized = [];
        var nonZero = values.Where(v => v != 0).ToArray();
        scale = nonZero.Length == 0 ? 1f : nonZero.Select(v => MathF.Abs(v) - BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(MathF.Abs(v)) - 1)).Min();
        scale = MathF.Pow(2, MathF.Floor(MathF.Log2(scale)));
        var s = scale;
        if (nonZero.Any(v => Math.Abs(v / (double)s) >= int.MaxValue))
        {
            return false;
        }
        quantized = [.. values.Select(v => (int)(v / (double)s))];
        return quantized.Select((q, i) => (float)q * s == values[i]).All(ok => ok);
    }

    private static bool Reconstructs(float[] distinct, float scale, out long kMin, out long kMax)
    {
        (kMin, kMax) = (long.MaxValue, long.MinValue);
        foreach (var value in distinct)
        {
            var k = (long)Math.Round(value / (double)scale);
            if ((float)k * scale != value)
            {
                return false;
            }
            (kMin, kMax) = (Math.Min(kMin, k), Math.Max(kMax, k));
        }
        return true;
    }
}
