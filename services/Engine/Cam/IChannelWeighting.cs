namespace SaliencySlider.Engine.Cam;

/// <summary>
/// A CAM method that weights whole channels, CAM = relu(Σ_k w_k A_k): Grad-CAM's family. Its weights are what
/// <see cref="CamSteps"/> shows a reader.
/// </summary>
public interface IChannelWeighting
{
    /// <summary>w_k for every channel k of <paramref name="maps"/>.</summary>
    double[] ChannelWeights(in ActivationMaps maps);
}
