using System.Runtime.InteropServices;
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

    /// <summary>
    /// Unpremultiplied RGBA pixels for a normalised saliency map (values 0..1): each value rounded to one of 256 levels,
    /// its alpha, coloured as Turbo colours that level (a 256-entry table, as matplotlib's and OpenCV's colour maps are).
    /// </summary>
    public static byte[] HeatmapPixels(ReadOnlySpan<float> saliency)
    {
        var pixels = new byte[saliency.Length * 4];
        var packed = MemoryMarshal.Cast<byte, uint>(pixels.AsSpan());
        for (var i = 0; i < saliency.Length; i++)
        {
            packed[i] = Palette[(int)Math.Round(Math.Clamp(saliency[i], 0f, 1f) * 255)];
        }
        return pixels;
    }

    /// <summary>RGBA (little-endian) of each level: Turbo of level / 255, alpha the level.</summary>
    private static readonly uint[] Palette = [.. Enumerable.Range(0, 256).Select(level =>
    {
        var (r, g, b) = TurboColorMap.Map(level / 255f);
        return r | ((uint)g << 8) | ((uint)b << 16) | ((uint)level << 24);
    })];

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
