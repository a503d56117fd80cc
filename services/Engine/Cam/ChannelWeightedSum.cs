namespace SaliencySlider.Engine.Cam;

/// <summary>relu(Σ_k w_k · A_k): the last step of every channel-weighting CAM method.</summary>
internal static class ChannelWeightedSum
{
    public static float[] Compute(in ActivationMaps maps, ReadOnlySpan<double> weights)
    {
        var sum = new double[maps.Positions];
        for (var k = 0; k < maps.Channels; k++)
        {
            var weight = weights[k];
            if (weight == 0)
            {
                continue;
            }
            var activations = maps.ActivationChannel(k);
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += weight * activations[i];
            }
        }
        return Relu(sum);
    }

    public static float[] Relu(ReadOnlySpan<double> values)
    {
        var cam = new float[values.Length];
        for (var i = 0; i < cam.Length; i++)
        {
            cam[i] = values[i] > 0 ? (float)values[i] : 0f;
        }
        return cam;
    }
}
