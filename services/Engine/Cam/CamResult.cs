namespace SaliencySlider.Engine.Cam;

/// <summary>A method's CAM of one image and, for a channel-weighting method, the steps that lead to it.</summary>
public readonly record struct CamResult(float[] Cam, CamSteps? Steps)
{
    /// <summary>
    /// <paramref name="method"/>'s CAM of <paramref name="maps"/>; a channel-weighting method's weights are computed
    /// once, for the CAM and its <see cref="CamSteps"/> alike, so the steps show the weights the CAM used.
    /// </summary>
    public static CamResult Of(ICamMethod method, in ActivationMaps maps)
    {
        if (method is not IChannelWeighting weighting)
        {
            return new CamResult(method.Compute(maps), null);
        }
        var weights = weighting.ChannelWeights(maps);
        return new CamResult(ChannelWeightedSum.Compute(maps, weights), CamSteps.Of(maps, weights));
    }
}
