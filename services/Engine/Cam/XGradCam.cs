namespace SaliencySlider.Engine.Cam;

/// <summary>XGrad-CAM (Fu et al.): w_k = Σ_ij G·A / (Σ_ij A + 1e-7); CAM = relu(Σ_k w_k A_k).</summary>
public sealed class XGradCam : IChannelWeighting
{
    private const double Epsilon = 1e-7;

    public string Name => "xgradcam";

    public double[] ChannelWeights(in ActivationMaps maps)
    {
        var weights = new double[maps.Channels];
        for (var k = 0; k < maps.Channels; k++)
        {
            var activations = maps.ActivationChannel(k);
            var gradients = maps.GradientChannel(k);
            double weighted = 0;
            double activationSum = 0;
            for (var i = 0; i < activations.Length; i++)
            {
                weighted += (double)gradients[i] * activations[i];
                activationSum += activations[i];
            }
            weights[k] = weighted / (activationSum + Epsilon);
        }
        return weights;
    }
}
