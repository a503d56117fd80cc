using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Imaging;
using SkiaSharp;

namespace SaliencySlider.Engine.Rendering;

/// <summary>Encodes images with Skia: frames as JPEG, WebP or PNG; RGBA with transparency as PNG.</summary>
public static class ImageEncoder
{
    public const int DefaultQuality = 85;

    public static string MimeType(FrameFormat format) => format switch
    {
        FrameFormat.Jpeg => "image/jpeg",
        FrameFormat.Webp => "image/webp",
        FrameFormat.Png => "image/png",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>
    /// zlib level of the heatmap PNG: level 1 encodes the smooth heatmap about 3× faster than Skia's default 6
    /// for a few percent more bytes (docs/PERFORMANCE.md, frame encoders), and it is on every job's critical path.
    /// </summary>
    public const int HeatmapZLibLevel = 1;

    /// <summary>
    /// Row filter of the heatmap PNG: at level 1 libpng leaves "all filters" unfiltered, and the Sub filter encoded the
    /// smooth heatmap about 2× faster than that, for 3 % fewer bytes (docs/PERFORMANCE.md, frame encoders).
    /// </summary>
    public const SKPngEncoderFilterFlags HeatmapFilter = SKPngEncoderFilterFlags.Sub;

    public static byte[] Encode(RgbaImage image, FrameFormat format, int quality = DefaultQuality)
    {
        var info = image.Info with { AlphaType = SKAlphaType.Opaque };
        return format switch
        {
            FrameFormat.Jpeg => Encode(info, image.Pixels, pixmap => pixmap.Encode(
                new SKJpegEncoderOptions(quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore))),
            FrameFormat.Webp => Encode(info, image.Pixels, pixmap => pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, quality))),
            FrameFormat.Png => Encode(info, image.Pixels, pixmap => pixmap.Encode(SKPngEncoderOptions.Default)),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
        };
    }

    /// <summary>PNG of unpremultiplied RGBA8888 pixels (colour and alpha kept independent).</summary>
    public static byte[] EncodeRgbaPng(
        int width, int height, byte[] unpremultipliedRgba, int zLibLevel = HeatmapZLibLevel, SKPngEncoderFilterFlags filter = HeatmapFilter)
        => Encode(
            new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul),
            unpremultipliedRgba,
            pixmap => pixmap.Encode(new SKPngEncoderOptions(filter, zLibLevel)));

    // Encodes straight from the managed pixels (pinned, wrapped by a pixmap): no copy into a Skia image first.
    private static unsafe byte[] Encode(SKImageInfo info, byte[] pixels, Func<SKPixmap, SKData?> encode)
    {
        if (pixels.Length != info.BytesSize)
        {
            throw new ArgumentException($"{pixels.Length} bytes for a {info.Width}x{info.Height} image", nameof(pixels));
        }
        fixed (byte* data = pixels)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)data, info.RowBytes);
            using var encoded = encode(pixmap) ?? throw new InvalidOperationException($"Skia could not encode a {info.Width}x{info.Height} image");
            return encoded.ToArray();
        }
    }
}
