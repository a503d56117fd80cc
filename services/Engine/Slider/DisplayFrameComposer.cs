using System.Runtime.InteropServices;
using SaliencySlider.Engine.Imaging;

namespace SaliencySlider.Engine.Slider;

/// <summary>A slider frame for display: the most salient pixels from the image, the rest from the baseline.</summary>
public static class DisplayFrameComposer
{
    public static RgbaImage Compose(RgbaImage image, RgbaImage baseline, SaliencyRanking ranking, int revealedCount)
    {
        if (image.Width != baseline.Width || image.Height != baseline.Height || ranking.PixelCount != image.Width * image.Height)
        {
            throw new ArgumentException("image, baseline and ranking must have the same size");
        }
        var result = new byte[image.Pixels.Length];
        var imagePixels = MemoryMarshal.Cast<byte, uint>(image.Pixels.AsSpan());
        var baselinePixels = MemoryMarshal.Cast<byte, uint>(baseline.Pixels.AsSpan());
        var target = MemoryMarshal.Cast<byte, uint>(result.AsSpan());
        var ranks = ranking.Ranks;
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = ranks[i] < revealedCount ? imagePixels[i] : baselinePixels[i];
        }
        return new RgbaImage(image.Width, image.Height, result);
    }
}
