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
        // Sorting (inverted saliency bits, index) as one ulong key is a stable descending sort by saliency.
        var keys = new ulong[saliency.Length];
        for (var i = 0; i < saliency.Length; i++)
        {
            var value = float.IsFinite(saliency[i]) ? Math.Max(saliency[i], 0f) + 0f : 0f;
            var descending = uint.MaxValue - BitConverter.SingleToUInt32Bits(value);
            keys[i] = ((ulong)descending << 32) | (uint)i;
        }
        Array.Sort(keys);
        var ranks = new int[saliency.Length];
        for (var rank = 0; rank < keys.Length; rank++)
        {
            ranks[(int)(uint)keys[rank]] = rank;
        }
        return new SaliencyRanking(ranks);
    }

    public int RevealedCount(double fraction) => (int)Math.Round(Math.Clamp(fraction, 0, 1) * PixelCount, MidpointRounding.AwayFromZero);
}
