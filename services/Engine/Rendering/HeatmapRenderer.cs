using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Imaging;
using SkiaSharp;

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

    /// <summary>overlay.png: an encoded image (e.g. the 100 % frame) with an encoded heatmap PNG of the same size over it.</summary>
    public static byte[] OverlayPng(ReadOnlySpan<byte> encodedImage, ReadOnlySpan<byte> heatmapPng, float opacity = DefaultOverlayOpacity)
    {
        var image = ImageDecoder.Decode(encodedImage);
        var heatmap = DecodeUnpremultiplied(heatmapPng);
        return ImageEncoder.Encode(Overlay(image, heatmap, opacity), FrameFormat.Png);
    }

    private static byte[] DecodeUnpremultiplied(ReadOnlySpan<byte> png)
    {
        using var data = SKData.CreateCopy(png);
        using var codec = SKCodec.Create(data) ?? throw new InvalidImageException("the heatmap is not a PNG");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var pixels = new byte[info.BytesSize];
        var result = codec.GetPixels(info, pixels);
        return result == SKCodecResult.Success ? pixels : throw new InvalidImageException($"the heatmap could not be decoded ({result})");
    }
}
