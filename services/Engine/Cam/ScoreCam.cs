using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Cam;

/// <summary>
/// Score-CAM (Wang et al.) as pytorch-grad-cam's ScoreCAM computes it: each channel A_k, upsampled to the input and
/// min–max scaled, masks the preprocessed input (<see cref="ScoreCamMasks"/>); the target class's logit for that
/// masked input is the channel's score s_k; w = softmax_k(s); CAM = relu(Σ_k w_k A_k). The explainer runs the masked
/// inputs and hands the scores over in <see cref="ActivationMaps.ChannelScores"/>. Under a channel cap ("Faster
/// Score-CAM") only the scored channels take part in the softmax and the sum.
/// </summary>
public sealed class ScoreCam : ICamMethod
{
    public string Name => "scorecam";

    /// <summary>The cap when a request names none: every channel on CUDA (null), <see cref="ExplainLimits.CpuScoreCamChannels"/> otherwise.</summary>
    public static int? DefaultChannelCap(string executionProvider) => executionProvider == "CUDA" ? null : ExplainLimits.CpuScoreCamChannels;

    public float[] Compute(in ActivationMaps maps)
    {
        if (maps.ChannelScores.Length != maps.Channels)
        {
            throw new InvalidOperationException(
                $"Score-CAM weighs channels by the scores of forward passes; these maps of {maps.Channels} channels carry {maps.ChannelScores.Length} scores");
        }
        return ChannelWeightedSum.Compute(maps, Weights(maps.ChannelScores));
    }

    /// <summary>Softmax over the scored channels (NaN: not scored, weight 0).</summary>
    public static double[] Weights(ReadOnlySpan<float> scores)
    {
        var max = double.NegativeInfinity;
        foreach (var s in scores)
        {
            if (!float.IsNaN(s))
            {
                max = Math.Max(max, s);
            }
        }
        var weights = new double[scores.Length];
        if (!double.IsFinite(max))
        {
            return weights; // nothing scored (or a score of +∞): no weighting can be read from them
        }
        double sum = 0;
        for (var k = 0; k < scores.Length; k++)
        {
            weights[k] = float.IsNaN(scores[k]) ? 0 : Math.Exp(scores[k] - max);
            sum += weights[k];
        }
        for (var k = 0; k < weights.Length; k++)
        {
            weights[k] /= sum;
        }
        return weights;
    }
}
