using SaliencySlider.Engine.Imaging;
using SaliencySlider.Engine.Slider;

namespace SaliencySlider.Engine.Tests.Slider;

public class SaliencyRankingTests
{
    [Fact]
    public void Ranks_descend_by_saliency_with_ties_broken_by_pixel_index()
    {
        var ranking = SaliencyRanking.FromSaliency(new float[] { 0.2f, 0.9f, 0.2f, 0.5f, 0.9f, 0f });

        Assert.Equal([3, 0, 4, 2, 1, 5], ranking.Ranks);
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(2, 5_000)]
    [InlineData(3, 512 * 341)]
    public void Ranks_equal_a_stable_comparison_sort_with_negatives_and_non_finite_values_as_zero(int seed, int length)
    {
        var random = new Random(seed);
        float[] specials = [0f, -0f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-30f, 0.5f];
        var saliency = new float[length];
        for (var i = 0; i < length; i++)
        {
            // Few distinct values (ties), special values, and spread ones with every byte of their bits in play.
            saliency[i] = random.Next(4) switch
            {
                0 => specials[random.Next(specials.Length)],
                1 => random.Next(8) / 8f,
                _ => (float)(random.NextDouble() * Math.Pow(10, random.Next(-20, 20))),
            };
        }

        var expected = new int[length];
        var order = Enumerable.Range(0, length)
            .OrderByDescending(i => float.IsFinite(saliency[i]) ? Math.Max(saliency[i], 0f) : 0f)
            .ThenBy(i => i)
            .ToArray();
        for (var rank = 0; rank < length; rank++)
        {
            expected[order[rank]] = rank;
        }

        Assert.Equal(expected, SaliencyRanking.FromSaliency(saliency).Ranks);
    }

    [Fact]
    public void Revealed_count_rounds_the_fraction_of_pixels()
    {
        var ranking = SaliencyRanking.FromSaliency(new float[10]);

        Assert.Equal(0, ranking.RevealedCount(0));
        Assert.Equal(3, ranking.RevealedCount(0.25)); // 2.5 rounds away from zero
        Assert.Equal(10, ranking.RevealedCount(1));
    }

    [Fact]
    public void Frame_tensors_take_revealed_pixels_from_the_image_in_every_channel()
    {
        var ranking = SaliencyRanking.FromSaliency(new float[] { 0.1f, 0.8f, 0.5f });
        float[] image = [1, 2, 3, 11, 12, 13];
        float[] baseline = [-1, -2, -3, -11, -12, -13];
        var destination = new float[6];

        FrameTensorComposer.Insertion(image, baseline, ranking, 2, destination);
        Assert.Equal([-1, 2, 3, -11, 12, 13], destination);

        FrameTensorComposer.Deletion(image, baseline, ranking, 2, destination);
        Assert.Equal([1, -2, -3, 11, -12, -13], destination);

        FrameTensorComposer.Insertion(image, baseline, ranking, 0, destination);
        Assert.Equal(baseline, destination);
        FrameTensorComposer.Insertion(image, baseline, ranking, 3, destination);
        Assert.Equal(image, destination);
    }

    [Fact]
    public void Display_frames_mix_whole_pixels()
    {
        var image = RgbaImage.Filled(2, 1, 200, 100, 50);
        var baseline = RgbaImage.Filled(2, 1, 0, 0, 0);
        var ranking = SaliencyRanking.FromSaliency(new float[] { 0.1f, 0.9f });

        var frame = DisplayFrameComposer.Compose(image, baseline, ranking, 1);

        Assert.Equal(new byte[] { 0, 0, 0, 255, 200, 100, 50, 255 }, frame.Pixels);
    }

    [Fact]
    public void Curve_area_is_the_trapezoid_rule_over_zero_to_one()
    {
        Assert.Equal(0.5f, CurveArea.Trapezoid([0f, 1f]), 1e-6f);
        Assert.Equal(0.875f, CurveArea.Trapezoid([0.5f, 1f, 1f]), 1e-6f);
        Assert.Throws<ArgumentException>(() => CurveArea.Trapezoid([1f]));
    }
}
