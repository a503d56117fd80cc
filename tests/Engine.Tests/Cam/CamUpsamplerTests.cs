using SaliencySlider.Engine.Cam;

namespace SaliencySlider.Engine.Tests.Cam;

public class CamUpsamplerTests
{
    [Fact]
    public void Bilinear_doubling_interpolates_between_pixel_centres_and_clamps_edges()
    {
        // Output pixel centres at 0.25, 0.75, 1.25, 1.75 in input-pixel units → sources −0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
        var row = CamUpsampler.Bilinear(new float[] { 0, 4 }, 1, 2, 1, 4);

        Assert.Equal(new float[] { 0, 1, 3, 4 }, row);
    }

    [Fact]
    public void Same_size_is_the_identity()
    {
        var map = new float[] { 1, 2, 3, 4, 5, 6 };

        Assert.Equal(map, CamUpsampler.Bilinear(map, 2, 3, 2, 3));
    }

    [Fact]
    public void MinMaxNormalize_maps_to_0_through_1_and_a_constant_map_to_zeros()
    {
        var normalized = CamUpsampler.MinMaxNormalize(new float[] { 2, 4, 6 });

        Assert.Equal(0f, normalized[0]);
        Assert.Equal(0.5f, normalized[1], 1e-6f);
        Assert.Equal(1f, normalized[2], 1e-6f);
        Assert.All(CamUpsampler.MinMaxNormalize(new float[] { 3, 3 }), v => Assert.Equal(0f, v));
    }
}
