namespace SaliencySlider.Engine.Cam;

/// <summary>Grad-CAM (Selvaraju et al.): w_k = mean_ij ∂y/∂A_k,ij; CAM = relu(Σ_k w_k A_k).</summary>
public sealed class GradCam : IChannelWeighting
{
    public string Name => "gradcam";

    public double[] ChannelWeights(in ActivationMaps maps)
    {
        var weights = new double[maps.Channels];
        for (var k = 0; k < maps.Channels; k++)
        {
            double sum = 0;
            foreach (var g in maps.GradientChannel(k))
            {
                sum += g;
            }
            weights[k] = sum / maps.Positions;
        }
        return weights;
    }
}
