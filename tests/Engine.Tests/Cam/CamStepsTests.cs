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

        var steps = CamSteps.Of(new GradCam(), maps)!;

        Assert.Equal(3, steps.ChannelCount);
        Assert.Equal([2, 0, 1], steps.Strongest.Select(c => c.Channel));
        Assert.Equal([0.5, 1, -2], steps.Strongest.Select(c => c.Weight));
        Assert.Equal([4f, 6f], steps.Strongest[0].Activations);
        // 1·[1, 3] − 2·[2, 0] + 0.5·[4, 6] = [−1, 6]; its ReLU is the CAM.
        Assert.Equal([-1f, 6f], steps.WeightedSum);
        Assert.Equal(steps.WeightedSum.Select(v => Math.Max(v, 0f)), new GradCam().Compute(maps));
    }

    [Theory]
    [InlineData(CamMethodKind.GradCam)]
    [InlineData(CamMethodKind.GradCamPlusPlus)]
    [InlineData(CamMethodKind.XGradCam)]
    public void Every_channel_weighting_method_has_steps_whose_ReLU_is_its_CAM(CamMethodKind kind)
    {
        var random = new Random(7);
        var activations = Enumerable.Range(0, 10 * 4 * 5).Select(_ => (float)random.NextDouble() * 3).ToArray();
        var gradients = Enumerable.Range(0, activations.Length).Select(_ => (float)(random.NextDouble() - 0.4)).ToArray();
        var maps = new ActivationMaps(10, 4, 5, activations, gradients);
        var method = CamMethods.For(kind);

        var steps = CamSteps.Of(method, maps)!;

        Assert.Equal(CamSteps.ShownChannels, steps.Strongest.Count);
        var cam = method.Compute(maps);
        for (var i = 0; i < cam.Length; i++)
        {
            Assert.Equal(cam[i], Math.Max(steps.WeightedSum[i], 0f), 4);
        }
    }

    [Theory]
    [InlineData(CamMethodKind.HiResCam)]
    [InlineData(CamMethodKind.LayerCam)]
    [InlineData(CamMethodKind.EigenCam)]
    public void Methods_that_do_not_weight_whole_channels_have_none(CamMethodKind kind)
    {
        var maps = new ActivationMaps(1, 1, 2, new float[] { 1, 2 }, new float[] { 1, 1 });

        Assert.Null(CamSteps.Of(CamMethods.For(kind), maps));
    }
}
