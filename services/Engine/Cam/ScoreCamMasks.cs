namespace SaliencySlider.Engine.Cam;

/// <summary>Score-CAM's masked inputs, and which channels to score under a cap.</summary>
public static class ScoreCamMasks
{
    /// <summary>
    /// The channels to score, ascending: every channel when <paramref name="cap"/> is null or at least the channel
    /// count, else the <paramref name="cap"/> channels whose activations vary most over the positions (population
    /// variance; ties go to the lower index), as "Faster Score-CAM" keeps them.
    /// </summary>
    public static int[] SelectChannels(in ActivationMaps maps, int? cap)
    {
        if (cap is not { } n || n >= maps.Channels)
        {
            return [.. Enumerable.Range(0, maps.Channels)];
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(cap));
        var variances = new double[maps.Channels];
        for (var k = 0; k < maps.Channels; k++)
        {
            variances[k] = Variance(maps.ActivationChannel(k));
        }
        return [.. Enumerable.Range(0, maps.Channels).OrderByDescending(k => variances[k]).ThenBy(k => k).Take(n).Order()];
    }

    /// <summary>
    /// input ⊙ M for a [C, H, W] <paramref name="input"/>, where M is channel <paramref name="channel"/> upsampled to
    /// H×W bilinearly with corners aligned (torch's UpsamplingBilinear2d) and scaled to (M − min) / (max − min + 1e-8).
    /// </summary>
    public static void WriteMaskedInput(in ActivationMaps maps, int channel, ReadOnlySpan<float> input, int inputHeight, int inputWidth, Span<float> destination)
    {
        var plane = inputHeight * inputWidth;
        if (input.Length % plane != 0 || destination.Length != input.Length)
        {
            throw new ArgumentException($"an input of {input.Length} values is no stack of {inputHeight}x{inputWidth} planes, or the destination ({destination.Length}) differs");
        }
        var mask = destination[..plane];
        CamUpsampler.BilinearAlignedCorners(maps.ActivationChannel(channel), maps.Height, maps.Width, inputHeight, inputWidth, mask);
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        foreach (var v in mask)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        var range = max - min + 1e-8f;
        for (var i = 0; i < plane; i++)
        {
            mask[i] = (mask[i] - min) / range;
        }
        // The first plane holds the mask until last: the other planes read it first.
        for (var c = (input.Length / plane) - 1; c >= 0; c--)
        {
            var source = input.Slice(c * plane, plane);
            var target = destination.Slice(c * plane, plane);
            for (var i = 0; i < plane; i++)
            {
                target[i] = source[i] * mask[i];
            }
        }
    }

    private static double Variance(ReadOnlySpan<float> values)
    {
        double mean = 0;
        foreach (var v in values)
        {
            mean += v;
        }
        mean /= values.Length;
        double sum = 0;
        foreach (var v in values)
        {
            sum += (v - mean) * (v - mean);
        }
        return sum / values.Length;
    }
}
