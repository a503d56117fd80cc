namespace SaliencySlider.Engine.Slider;

/// <summary>
/// Model inputs of the slider frames, at the model's resolution: each pixel (all channels) taken from the
/// image where revealed and from the baseline elsewhere. Exact: all revealed gives the image's tensor, none
/// the baseline's.
/// </summary>
public static class FrameTensorComposer
{
    /// <summary>Insertion: the <paramref name="revealedCount"/> most salient pixels from the image, the rest from the baseline.</summary>
    public static void Insertion(ReadOnlySpan<float> image, ReadOnlySpan<float> baseline, SaliencyRanking ranking, int revealedCount, Span<float> destination)
        => Compose(image, baseline, ranking, revealedCount, destination);

    /// <summary>Deletion: the <paramref name="deletedCount"/> most salient pixels from the baseline, the rest from the image.</summary>
    public static void Deletion(ReadOnlySpan<float> image, ReadOnlySpan<float> baseline, SaliencyRanking ranking, int deletedCount, Span<float> destination)
        => Compose(baseline, image, ranking, deletedCount, destination);

    private static void Compose(ReadOnlySpan<float> topSource, ReadOnlySpan<float> restSource, SaliencyRanking ranking, int topCount, Span<float> destination)
    {
        var plane = ranking.PixelCount;
        if (topSource.Length != destination.Length || restSource.Length != destination.Length || destination.Length % plane != 0)
        {
            throw new ArgumentException("image, baseline and destination must be the same [C, H, W] size as the ranking");
        }
        var ranks = ranking.Ranks;
        for (var offset = 0; offset < destination.Length; offset += plane)
        {
            for (var i = 0; i < plane; i++)
            {
                destination[offset + i] = ranks[i] < topCount ? topSource[offset + i] : restSource[offset + i];
            }
        }
    }
}
