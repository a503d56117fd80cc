namespace SaliencySlider.Engine.Cam;

/// <summary>relu(Σ_k G_k ⊙ A_k): CAM methods that weight every position by its own gradient rather than a channel mean.</summary>
internal static class ElementwiseWeightedSum
{
    /// <param name="positiveGradientsOnly">Use relu(G_k) (LayerCAM) instead of G_k (HiResCAM).</param>
    public static float[] Compute(in ActivationMaps maps, bool positiveGradientsOnly)
    {
        var sum = new double[maps.Positions];
        for (var k = 0; k < maps.Channels; k++)
        {
            var activations = maps.ActivationChannel(k);
            var gradients = maps.GradientChannel(k);
            for (var i = 0; i < sum.Length; i++)
            {
                if (!positiveGradientsOnly || gradients[i] > 0)
                {
                    sum[i] += (double)gradients[i] * activations[i];
                }
            }
        }
        return ChannelWeightedSum.Relu(sum);
    }
}
