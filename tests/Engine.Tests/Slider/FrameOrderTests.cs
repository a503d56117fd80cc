using SaliencySlider.Engine.Slider;

namespace SaliencySlider.Engine.Tests.Slider;

public class FrameOrderTests
{
    [Fact]
    public void Twenty_one_frames_go_coarse_to_fine()
    {
        var order = FrameOrder.CoarseToFine(21);

        Assert.Equal([0, 20, 10, 5, 15, 2, 7, 12, 17, 1, 3, 6, 8, 11, 13, 16, 18, 4, 9, 14, 19], order);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(21)]
    [InlineData(64)]
    [InlineData(101)]
    public void Every_frame_comes_exactly_once_starting_with_both_ends(int frameCount)
    {
        var order = FrameOrder.CoarseToFine(frameCount);

        Assert.Equal(Enumerable.Range(0, frameCount), order.Order());
        Assert.Equal(0, order[0]);
        Assert.Equal(frameCount - 1, order[1]);
        if (frameCount > 2)
        {
            Assert.Equal((frameCount - 1) / 2, order[2]);
        }
    }

    [Fact]
    public void Fewer_than_two_frames_are_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => FrameOrder.CoarseToFine(1));

    [Fact]
    public void Chunks_start_small_then_fill_up_to_the_limit_in_order()
    {
        var order = FrameOrder.CoarseToFine(21);

        var chunks = FrameOrder.Chunks(order, firstChunk: 3, maxPerChunk: 8);

        Assert.Equal([3, 8, 8, 2], chunks.Select(c => c.Length));
        Assert.Equal(order, chunks.SelectMany(c => c));
    }

    [Fact]
    public void Fraction_spans_zero_to_one()
    {
        Assert.Equal(0, FrameOrder.Fraction(0, 21));
        Assert.Equal(0.5, FrameOrder.Fraction(10, 21));
        Assert.Equal(1, FrameOrder.Fraction(20, 21));
    }
}
