namespace SaliencySlider.Engine.Cam;

/// <summary>LayerCAM (Jiang et al.): CAM = relu(Σ_k relu(G_k) ⊙ A_k), element-wise.</summary>
public sealed class LayerCam : ICamMethod
{
    public string Name => "layercam";

    public float[] Compute(in ActivationMaps maps)
    {
        var sum = new double[maps.Positions];
        for (var k = 0; k < maps.Channels; k++)
        {
            var activations = maps.ActivationChannel(k);
            var gradients = maps.GradientChannel(k);
            for (var i = 0; i < sum.Length; i++)
            {
                if (gradients[i] > 0)
                {
                    sum[i] += (double)gradients[i] * activations[i];
                }
            }
        }
        return ChannelWeightedSum.Relu(sum);
    }
}
