namespace SaliencySlider.Engine.Slider;

/// <summary>
/// Pixels ranked from most to least salient (ties: lower pixel index first). A frame at fraction p shows the
/// pixels whose rank is below round(p · N).
/// </summary>
public sealed class SaliencyRanking
{
    private SaliencyRanking(int[] ranks) => Ranks = ranks;

    /// <summary>Rank of each pixel (0 = most salient), row-major.</summary>
    public int[] Ranks { get; }

    public int PixelCount => Ranks.Length;

    public static SaliencyRanking FromSaliency(ReadOnlySpan<float> saliency)
    {
        // A stable LSD radix sort of the inverted saliency bits (non-negative floats order as their bits do), from
        // pixel order: descending saliency, ties by lower index. A comparison sort of the display map took about
        // 3× as long, on the path to every job's first frame.
        var count = saliency.Length;
        var keys = new uint[count];
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            var value = float.IsFinite(saliency[i]) ? Math.Max(saliency[i], 0f) + 0f : 0f;
            keys[i] = uint.MaxValue - BitConverter.SingleToUInt32Bits(value);
            order[i] = i;
        }
        var keysOut = new uint[count];
        var orderOut = new int[count];
        Span<int> offsets = stackalloc int[256];
        for (var shift = 0; shift < 32; shift += 8)
        {
            offsets.Clear();
            foreach (var key in keys)
            {
                offsets[(int)((key >> shift) & 0xFF)]++;
            }
            if (count == 0 || offsets[(int)((keys[0] >> shift) & 0xFF)] == count)
            {
                continue; // every key has the same digit here
            }
            var start = 0;
            for (var digit = 0; digit < offsets.Length; digit++)
            {
                (offsets[digit], start) = (start, start + offsets[digit]);
            }
            for (var i = 0; i < count; i++)
            {
                var position = offsets[(int)((keys[i] >> shift) & 0xFF)]++;
                keysOut[position] = keys[i];
                orderOut[position] = order[i];
            }
            (keys, keysOut) = (keysOut, keys);
            (order, orderOut) = (orderOut, order);
        }
        var ranks = new int[count];
        for (var rank = 0; rank < count; rank++)
        {
            ranks[order[rank]] = rank;
        }
        return new SaliencyRanking(ranks);
    }

    public int RevealedCount(double fraction) => (int)Math.Round(Math.Clamp(fraction, 0, 1) * PixelCount, MidpointRounding.AwayFromZero);
}
