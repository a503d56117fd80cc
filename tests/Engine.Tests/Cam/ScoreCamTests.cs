using SaliencySlider.Engine.Cam;

namespace SaliencySlider.Engine.Tests.Cam;

/// <summary>Score-CAM's parts: the softmax weights, the final sum, the channel cap and the masked inputs.</summary>
public class ScoreCamTests
{
    [Fact]
    public void Weights_are_the_softmax_of_the_scored_channels()
    {
        var weights = ScoreCam.Weights([1f, float.NaN, 3f, 1f]);

        var e = Math.Exp(2);
        Assert.Equal([1 / (e + 2), 0, e / (e + 2), 1 / (e + 2)], weights, new Tolerance(1e-12));
    }

    [Fact]
    public void Weights_of_large_scores_do_not_overflow()
    {
        Assert.Equal([0.5, 0.5], ScoreCam.Weights([1000f, 1000f]), new Tolerance(1e-12));
    }

    [Fact]
    public void Cam_is_the_relu_of_the_softmax_weighted_channels()
    {
        // Scores ln 3 and 0: weights 3/4 and 1/4; cam = relu(3/4·[1, −2] + 1/4·[1, 2]) = relu([1, −1]) = [1, 0].
        var maps = new ActivationMaps(2, 1, 2, new float[] { 1, -2, 1, 2 }, new float[4]).WithChannelScores(new[] { MathF.Log(3), 0f });

        Assert.Equal([1f, 0f], new ScoreCam().Compute(maps), new Tolerance(1e-6));
    }

    [Fact]
    public void Cam_without_scores_is_refused()
    {
        var maps = new ActivationMaps(2, 1, 2, new float[4], new float[4]);

        Assert.Throws<InvalidOperationException>(() => new ScoreCam().Compute(maps));
    }

    [Fact]
    public void The_cap_keeps_the_channels_of_highest_variance_ties_to_the_lower_index()
    {
        // Variances over the two positions: 0, 1, 0.25, 1, 4.
        var maps = new ActivationMaps(5, 1, 2, new float[] { 7, 7, 0, 2, 1, 2, 5, 3, -2, 2 }, new float[10]);

        Assert.Equal([1, 4], ScoreCamMasks.SelectChannels(maps, 2));
        Assert.Equal([1, 3, 4], ScoreCamMasks.SelectChannels(maps, 3));
        Assert.Equal([0, 1, 2, 3, 4], ScoreCamMasks.SelectChannels(maps, 5));
        Assert.Equal([0, 1, 2, 3, 4], ScoreCamMasks.SelectChannels(maps, null));
    }

    [Fact]
    public void Masked_input_is_the_input_times_the_corner_aligned_upsampled_min_max_scaled_channel()
    {
        // Channel 1 is [[0, 2], [4, 6]]; upsampled to 3×3 with the corners aligned: [[0, 1, 2], [2, 3, 4], [4, 5, 6]],
        // scaled to /6 (min 0, max 6); the two input planes are 1 and 2 everywhere.
        var maps = new ActivationMaps(2, 2, 2, new float[] { 9, 9, 9, 9, 0, 2, 4, 6 }, new float[8]);
        var input = Enumerable.Repeat(1f, 9).Concat(Enumerable.Repeat(2f, 9)).ToArray();
        var masked = new float[18];

        ScoreCamMasks.WriteMaskedInput(maps, 1, input, 3, 3, masked);

        var mask = new[] { 0, 1, 2, 2, 3, 4, 4, 5, 6 }.Select(v => v / (6 + 1e-8)).ToArray();
        Assert.Equal(mask.Concat(mask.Select(m => 2 * m)), masked.Select(v => (double)v), new Tolerance(1e-6));
    }

    [Fact]
    public void A_constant_channel_masks_everything()
    {
        var maps = new ActivationMaps(1, 2, 2, new float[] { 3, 3, 3, 3 }, new float[4]);
        var masked = new float[4 * 4];

        ScoreCamMasks.WriteMaskedInput(maps, 0, Enumerable.Repeat(5f, 16).ToArray(), 4, 4, masked);

        Assert.All(masked, v => Assert.Equal(0f, v));
    }

    private sealed class Tolerance(double tolerance) : IEqualityComparer<double>, IEqualityComparer<float>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;

        public int GetHashCode(float obj) => 0;
    }
}
