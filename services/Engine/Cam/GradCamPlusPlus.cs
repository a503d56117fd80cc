namespace SaliencySlider.Engine.Cam;

/// <summary>
/// Grad-CAM++ (Chattopadhyay et al.), as pytorch-grad-cam computes it:
/// a_ij = G² / (2G² + Σ_ij A · G³ + eps) where G ≠ 0, w_k = Σ_ij relu(G) · a_ij; CAM = relu(Σ_k w_k A_k).
/// </summary>
public sealed class GradCamPlusPlus : IChannelWeighting
{
    private const double Epsilon = 1e-6;

    public string Name => "gradcampp";

    public double[] ChannelWeights(in ActivationMaps maps)
    {
        var weights = new double[maps.Channels];
        for (var k = 0; k < maps.Channels; k++)
        {
            var activations = maps.ActivationChannel(k);
            var gradients = maps.GradientChannel(k);
            double activationSum = 0;
            foreach (var a in activations)
            {
                activationSum += a;
            }
            double weight = 0;
            foreach (var gradient in gradients)
            {
                if (gradient <= 0)
                {
                    continue; // relu(G) = 0, and a_ij is 0 where G = 0
                }
                double g = gradient;
                var g2 = g * g;
                var alpha = g2 / ((2 * g2) + (activationSum * g2 * g) + Epsilon);
                weight += g * alpha;
            }
            weights[k] = weight;
        }
        return weights;
    }
}
