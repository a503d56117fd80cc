using SaliencySlider.Engine.Slider;

namespace SaliencySlider.Engine.Tests.Slider;

public class SufficiencyPointTests
{
    [Fact]
    public void Is_the_first_frame_whose_top_class_is_the_full_images()
    {
        // 5 frames: 0, 25, 50, 75, 100 % revealed; class 7 is the full image's top-1 from 50 % on.
        Assert.Equal(0.5f, SufficiencyPoint.Of([3, 3, 7, 7, 7], fullImageTopClass: 7));
    }

    [Fact]
    public void Is_the_smallest_matching_fraction_even_when_a_larger_one_disagrees_again()
    {
        Assert.Equal(0.25f, SufficiencyPoint.Of([3, 7, 3, 3, 7], fullImageTopClass: 7));
    }

    [Fact]
    public void Is_zero_when_the_baseline_alone_is_classified_as_the_full_image()
    {
        Assert.Equal(0f, SufficiencyPoint.Of([7, 3, 7], fullImageTopClass: 7));
    }

    [Fact]
    public void Is_one_when_only_the_whole_image_is_classified_as_itself()
    {
        Assert.Equal(1f, SufficiencyPoint.Of([3, 4, 5, 6, 8, 9, 7], fullImageTopClass: 7));
    }

    [Fact]
    public void Is_null_when_no_frame_matches()
    {
        Assert.Null(SufficiencyPoint.Of([3, 4], fullImageTopClass: 7));
    }

    [Fact]
    public void Needs_a_curve()
    {
        Assert.Throws<ArgumentException>(() => SufficiencyPoint.Of([7], fullImageTopClass: 7));
    }
}
