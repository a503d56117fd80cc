namespace SaliencySlider.Engine.Cam;

/// <summary>One channel's feature map A_k and its weight w_k.</summary>
public sealed record WeightedChannel(int Channel, double Weight, float[] Activations);

/// <summary>
/// A channel-weighting method's steps on one image, for readers (the demo's "How it works" panel): the few
/// channels that add most to the weighted sum, and the sum Σ_k w_k A_k over all channels before the ReLU.
/// </summary>
public sealed record CamSteps(int ChannelCount, IReadOnlyList<WeightedChannel> Strongest, float[] WeightedSum)
{
    /// <summary>How many channels are shown: enough to see the idea, small enough to send with every explanation.</summary>
    public const int ShownChannels = 6;

    /// <summary>Larger grids (a target layer near the input) get no steps: they would multiply the explanation's size.</summary>
    public const int MaxPositions = 64 * 64;

    /// <summary>
    /// The steps of a channel-weighting method whose <see cref="IChannelWeighting.ChannelWeights"/> on <paramref name="maps"/>
    /// are <paramref name="weights"/>; null for grids of more than <see cref="MaxPositions"/> cells. Channels are ranked by
    /// their contribution to the weighted sum, w_k · Σ_ij A_k,ij, largest first.
    /// </summary>
    public static CamSteps? Of(in ActivationMaps maps, ReadOnlySpan<double> weights)
    {
        if (weights.Length != maps.Channels)
        {
            throw new ArgumentException($"{maps.Channels} channels need {maps.Channels} weights, got {weights.Length}", nameof(weights));
        }
        if (maps.Positions > MaxPositions)
        {
            return null;
        }

        var contributions = new double[maps.Channels];
        var sum = new double[maps.Positions];
        for (var k = 0; k < maps.Channels; k++)
        {
            var activations = maps.ActivationChannel(k);
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += weights[k] * activations[i];
                contributions[k] += weights[k] * activations[i];
            }
        }

        var strongest = new List<WeightedChannel>(ShownChannels);
        foreach (var k in Enumerable.Range(0, maps.Channels).OrderByDescending(k => contributions[k]).ThenBy(k => k).Take(ShownChannels))
        {
            strongest.Add(new WeightedChannel(k, weights[k], maps.ActivationChannel(k).ToArray()));
        }

        return new CamSteps(maps.Channels, strongest, [.. sum.Select(v => (float)v)]);
    }
}
