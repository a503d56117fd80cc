using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Slider;

/// <summary>
/// The order frames are produced in, coarse to fine: 0 %, 100 %, then breadth-first midpoints
/// (for 21 frames: 0, 20, 10, 5, 15, 2, 7, 12, 17, 1, 3, ...), each index once.
/// </summary>
public static class FrameOrder
{
    public static int[] CoarseToFine(int frameCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameCount, ExplainLimits.MinFrameCount);
        var order = new List<int>(frameCount) { 0, frameCount - 1 };
        var intervals = new Queue<(int Low, int High)>();
        intervals.Enqueue((0, frameCount - 1));
        while (intervals.Count > 0)
        {
            var (low, high) = intervals.Dequeue();
            if (high - low < 2)
            {
                continue;
            }
            var middle = (low + high) / 2;
            order.Add(middle);
            intervals.Enqueue((low, middle));
            intervals.Enqueue((middle, high));
        }
        return [.. order];
    }

    /// <summary>Fraction of pixels revealed by frame <paramref name="index"/>: index / (F − 1).</summary>
    public static double Fraction(int index, int frameCount) => (double)index / (frameCount - 1);

    /// <summary>
    /// The coarse-to-fine order cut into runs of the classifier: a small first chunk (so the first frames
    /// come out early), then chunks of at most <paramref name="maxPerChunk"/>.
    /// </summary>
    public static IReadOnlyList<int[]> Chunks(int[] order, int firstChunk, int maxPerChunk)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(firstChunk);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPerChunk);
        var chunks = new List<int[]>();
        var start = 0;
        var size = Math.Min(firstChunk, maxPerChunk);
        while (start < order.Length)
        {
            var length = Math.Min(size, order.Length - start);
            chunks.Add(order[start..(start + length)]);
            start += length;
            size = maxPerChunk;
        }
        return chunks;
    }
}
