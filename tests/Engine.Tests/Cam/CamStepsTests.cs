using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Tests.Cam;

/// <summary>The steps the "How it works" panel shows add up to the CAM the method computes.</summary>
public sealed class CamStepsTests
{
    [Fact]
    public void Grad_CAM_steps_are_the_mean_gradients_the_strongest_channels_and_the_sum_before_the_ReLU()
    {
        // Weights are the gradients' means: 1, −2 and 0.5. Contributions w_k·ΣA_k: 1·4 = 4, −2·2 = −4, 0.5·10 = 5.
        var maps = new ActivationMaps(3, 1, 2, new float[] { 1, 3, 2, 0, 4, 6 }, new float[] { 0.5f, 1.5f, -1, -3, 0, 1 });

        var (cam, steps) = CamResult.Of(new GradCam(), maps);

        Assert.NotNull(steps);
        Assert.Equal(3, steps.ChannelCount);
        Assert.Equal([2, 0, 1], steps.Strongest.Select(c => c.Channel));
        Assert.Equal([0.5, 1, -2], steps.Strongest.Select(c => c.Weight));
        Assert.Equal([4f, 6f], steps.Strongest[0].Activations);
        // 1·[1, 3] − 2·[2, 0] + 0.5·[4, 6] = [−1, 6]; its ReLU is the CAM.
        Assert.Equal([-1f, 6f], steps.WeightedSum);
        Assert.Equal([0f, 6f], cam);
    }

    public static TheoryData<CamMethodKind> ChannelWeightingMethods => [.. CamMethods.Kinds.Where(k => CamMethods.For(k) is IChannelWeighting)];

    public static TheoryData<CamMethodKind> OtherMethods => [.. CamMethods.Kinds.Where(k => CamMethods.For(k) is not IChannelWeighting)];

    [Theory]
    [MemberData(nameof(ChannelWeightingMethods))]
    public void Every_channel_weighting_method_has_steps_whose_ReLU_is_its_CAM(CamMethodKind kind)
    {
        var random = new Random(7);
        var activations = Enumerable.Range(0, 10 * 4 * 5).Select(_ => (float)random.NextDouble() * 3).ToArray();
        var gradients = Enumerable.Range(0, activations.Length).Select(_ => (float)(random.NextDouble() - 0.4)).ToArray();
        var maps = new ActivationMaps(10, 4, 5, activations, gradients);
        var method = CamMethods.For(kind);

        var (cam, steps) = CamResult.Of(method, maps);

        Assert.NotNull(steps);
        Assert.Equal(CamSteps.ShownChannels, steps.Strongest.Count);
        Assert.Equal(method.Compute(maps), cam);
        for (var i = 0; i < cam.Length; i++)
        {
            Assert.Equal(cam[i], Math.Max(steps.WeightedSum[i], 0f), 4);
        }
    }

    [Theory]
    [MemberData(nameof(OtherMethods))]
    public void Methods_that_do_not_weight_whole_channels_have_none(CamMethodKind kind)
    {
        var maps = new ActivationMaps(1, 1, 2, new float[] { 1, 2 }, new float[] { 1, 1 }).WithChannelScores(new[] { 1f });
        var method = CamMethods.For(kind);

        var (cam, steps) = CamResult.Of(method, maps);

        Assert.Null(steps);
        Assert.Equal(method.Compute(maps), cam);
    }

    [Fact]
    public void Steps_show_the_weights_the_CAM_used_computed_once()
    {
        // A method whose weights change at every computation: steps computed apart from the CAM would show other weights.
        var method = new ChangingWeights();
        var maps = new ActivationMaps(2, 1, 2, new float[] { 1, 3, 2, 0 }, new float[4]);

        var (cam, steps) = CamResult.Of(method, maps);

        Assert.Equal(1, method.Computations);
        Assert.NotNull(steps);
        Assert.Equal([1.0, -2.0], steps.Strongest.OrderBy(c => c.Channel).Select(c => c.Weight));
        // 1·[1, 3] − 2·[2, 0] = [−3, 3]: the CAM is the ReLU of the sum the steps show.
        Assert.Equal([-3f, 3f], steps.WeightedSum);
        Assert.Equal([0f, 3f], cam);
    }

    [Fact]
    public void Grids_larger_than_the_steps_allow_have_none()
    {
        var side = (int)Math.Sqrt(CamSteps.MaxPositions) + 1;
        var maps = new ActivationMaps(1, side, side, new float[side * side], new float[side * side]);

        Assert.Null(CamSteps.Of(maps, [1.0]));
        Assert.Throws<ArgumentException>(() => CamSteps.Of(maps, [1.0, 2.0]));
    }

    /// <summary>Weights 1, −2 at the first computation, then n, −2n at the n-th.</summary>
    private sealed class ChangingWeights : IChannelWeighting
    {
        public int Computations { get; private set; }

        public string Name => "changing";

        public double[] ChannelWeights(in ActivationMaps maps)
        {
            Computations++;
            return [Computations, -2.0 * Computations];
        }
    }
}
