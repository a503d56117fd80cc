using SaliencySlider.Contracts.V1;
using SaliencySlider.Gateway.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.Service.Tests.Reliability;

public sealed class EventReadSizeTests
{
    private static StreamEntry EntryOf(int bytes) => new("1-0", [new NameValueEntry("event", new byte[bytes]), new NameValueEntry("attempt", 1)]);

    [Theory]
    [InlineData(64, EventReadSize.MaxCount)]
    [InlineData(512, 7)]
    [InlineData(2048, 1)]
    public void A_jobs_frame_size_bounds_the_events_one_read_takes(int maxFrameSide, int expected)
    {
        Assert.Equal(expected, EventReadSize.For(new ExplainOptions { MaxFrameSide = maxFrameSide }).Count);
    }

    [Fact]
    public void Unknown_options_assume_the_largest_frames_and_a_larger_event_than_estimated_lowers_the_count()
    {
        Assert.Equal(1, EventReadSize.For(null).Count);
        var reads = EventReadSize.For(new ExplainOptions { MaxFrameSide = 64 });

        reads.Observe(EntryOf(100));
        Assert.Equal(EventReadSize.MaxCount, reads.Count);
        reads.Observe(EntryOf(3 * 1024 * 1024));
        Assert.Equal(2, reads.Count);
        Assert.True(reads.Count * 3 * 1024 * 1024 <= EventReadSize.BudgetBytes);
    }
}
