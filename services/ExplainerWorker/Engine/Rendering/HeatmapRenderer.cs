using SaliencySlider.Engine.Imaging;

namespace SaliencySlider.Engine.Rendering;

/// <summary>
/// The heatmap: Turbo colours with alpha = normalised saliency (RGBA PNG a client overlays with any opacity),
/// and that heatmap composited over the image.
/// </summary>
public static class HeatmapRenderer
{
    public const float DefaultOverlayOpacity = 0.6f;

    /// <summary>Unpremultiplied RGBA pixels for a normalised saliency map (values 0..1).</summary>
    public static byte[] HeatmapPixels(ReadOnlySpan<float> saliency)
    {
        var pixels = new byte[saliency.Length * 4];
        for (var i = 0; i < saliency.Length; i++)
        {
            var (r, g, b) = TurboColorMap.Map(saliency[i]);
            pixels[i * 4] = r;
            pixels[(i * 4) + 1] = g;
            pixels[(i * 4) + 2] = b;
            pixels[(i * 4) + 3] = (byte)Math.Round(Math.Clamp(saliency[i], 0f, 1f) * 255);
        }
        return pixels;
    }

    public static byte[] RenderPng(ReadOnlySpan<float> saliency, int width, int height)
        => ImageEncoder.EncodeRgbaPng(width, height, HeatmapPixels(saliency));

    /// <summary>The image with the heatmap drawn over it at <paramref name="opacity"/> (times each pixel's alpha).</summary>
    public static RgbaImage Overlay(RgbaImage image, byte[] heatmapPixels, float opacity = DefaultOverlayOpacity)
    {
        if (heatmapPixels.Length != image.Pixels.Length)
        {
            throw new ArgumentException("heatmap and image must have the same size", nameof(heatmapPixels));
        }
        var result = new byte[image.Pixels.Length];
        for (var i = 0; i < result.Length; i += 4)
        {
            var weight = opacity * heatmapPixels[i + 3] / 255f;
            for (var c = 0; c < 3; c++)
            {
                result[i + c] = (byte)Math.Round((image.Pixels[i + c] * (1 - weight)) + (heatmapPixels[i + c] * weight));
            }
            result[i + 3] = 255;
        }
        return new RgbaImage(image.Width, image.Height, result);
    }
}
