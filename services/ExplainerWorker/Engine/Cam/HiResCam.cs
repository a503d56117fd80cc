namespace SaliencySlider.Engine.Cam;

/// <summary>HiResCAM (Draelos &amp; Carin): CAM = relu(Σ_k G_k ⊙ A_k), element-wise.</summary>
public sealed class HiResCam : ICamMethod
{
    public string Name => "hirescam";

    public float[] Compute(in ActivationMaps maps)
    {
        var sum = new double[maps.Positions];
        for (var k = 0; k < maps.Channels; k++)
        {
            var activations = maps.ActivationChannel(k);
            var gradients = maps.GradientChannel(k);
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += (double)gradients[i] * activations[i];
            }
        }
        return ChannelWeightedSum.Relu(sum);
    }
}
