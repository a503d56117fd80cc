using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Slider;

/// <summary>
/// The sufficiency point of an insertion curve: the smallest revealed fraction (index / (F − 1)) whose frame's top-1
/// class equals the full image's top-1. The last frame shows the whole image, so the point is at most 1.0; it is
/// null only when not even that frame's top-1 matches (a tie the classifier breaks differently between runs).
/// </summary>
public static class SufficiencyPoint
{
    /// <param name="frameTopClasses">The top-1 class of each insertion frame, in slider order (0 % first).</param>
    /// <param name="fullImageTopClass">The full image's top-1 class.</param>
    public static float? Of(ReadOnlySpan<int> frameTopClasses, int fullImageTopClass)
    {
        if (frameTopClasses.Length < ExplainLimits.MinFrameCount)
        {
            throw new ArgumentException("a curve needs at least two frames", nameof(frameTopClasses));
        }
        for (var i = 0; i < frameTopClasses.Length; i++)
        {
            if (frameTopClasses[i] == fullImageTopClass)
            {
                return (float)FrameOrder.Fraction(i, frameTopClasses.Length);
            }
        }
        return null;
    }
}
