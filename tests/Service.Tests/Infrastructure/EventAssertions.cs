using SaliencySlider.Contracts.V1;

namespace SaliencySlider.Service.Tests.Infrastructure;

public static class EventAssertions
{
    /// <summary>ImageNet classes 281..285: tabby, tiger cat, Persian, Siamese, Egyptian cat.</summary>
    public static bool IsCatClass(int index) => index is >= 281 and <= 285;

    /// <summary>
    /// The whole life of a successful job: QUEUED, RUNNING (attempt 1), the explanation, exactly
    /// <paramref name="frameCount"/> frames, Completed. Returns the frames in arrival order.
    /// </summary>
    public static List<Frame> AssertCompleteJob(IReadOnlyList<JobEvent> events, string jobId, int frameCount)
    {
        Assert.True(events.Count == frameCount + 4, $"expected {frameCount + 4} events, got {events.Count}: {Describe(events)}");
        Assert.Equal(JobState.Queued, events[0].Status.State);
        Assert.Equal(jobId, events[0].Status.JobId);
        Assert.Equal(JobState.Running, events[1].Status.State);
        Assert.Equal(1, events[1].Status.Attempt);
        Assert.Equal(JobEvent.EventOneofCase.Explanation, events[2].EventCase);
        Assert.Equal(frameCount, events[2].Explanation.FrameCount);
        var frames = events.Skip(3).Take(frameCount).Select(e =>
        {
            Assert.Equal(JobEvent.EventOneofCase.Frame, e.EventCase);
            return e.Frame;
        }).ToList();
        Assert.Equal(Enumerable.Range(0, frameCount), frames.Select(f => f.Index).Order());
        Assert.Equal(JobEvent.EventOneofCase.Completed, events[^1].EventCase);
        return frames;
    }

    /// <summary>
    /// For frame counts of 2^k + 1: the level of an index is how fine a subdivision of the slider it
    /// first appears in (0 and the end: 0; the middle: 1; quarters: 2; ...). Coarse to fine means
    /// levels never decrease in arrival order.
    /// </summary>
    public static void AssertCoarseToFine(IReadOnlyList<Frame> frames)
    {
        var intervals = frames.Count - 1;
        Assert.True(int.IsPow2(intervals), "use a frame count of 2^k + 1 for this check");
        var levels = frames.Select(f => Level(f.Index, intervals)).ToList();
        for (var i = 1; i < levels.Count; i++)
        {
            Assert.True(levels[i] >= levels[i - 1],
                $"frame {frames[i].Index} (level {levels[i]}) arrived after frame {frames[i - 1].Index} (level {levels[i - 1]}); order: {string.Join(",", frames.Select(f => f.Index))}");
        }
    }

    private static int Level(int index, int intervals)
    {
        if (index == 0 || index == intervals)
        {
            return 0;
        }

        var level = 0;
        for (var step = intervals; index % step != 0; step /= 2)
        {
            level++;
        }

        return level;
    }

    public static string Describe(IEnumerable<JobEvent> events)
        => string.Join(", ", events.Select(e => e.EventCase == JobEvent.EventOneofCase.Status
            ? $"{e.Status.State}({e.Status.Message})"
            : e.EventCase.ToString()));
}
