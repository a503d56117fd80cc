namespace SaliencySlider.Engine.Cam;

/// <summary>
/// A CAM method that weights whole channels, CAM = relu(Σ_k w_k A_k): Grad-CAM's family. Such a method only says how
/// it weights channels; the weighted sum is the same for all of them, and its weights are what <see cref="CamSteps"/>
/// shows a reader.
/// </summary>
public interface IChannelWeighting : ICamMethod
{
    /// <summary>w_k for every channel k of <paramref name="maps"/>.</summary>
    double[] ChannelWeights(in ActivationMaps maps);

    float[] ICamMethod.Compute(in ActivationMaps maps) => ChannelWeightedSum.Compute(maps, ChannelWeights(maps));
}
