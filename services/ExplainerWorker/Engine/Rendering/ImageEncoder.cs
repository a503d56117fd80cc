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

    public static string FileExtension(FrameFormat format) => format switch
    {
        FrameFormat.Jpeg => ".jpg",
        FrameFormat.Webp => ".webp",
        FrameFormat.Png => ".png",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public static byte[] Encode(RgbaImage image, FrameFormat format, int quality = DefaultQuality)
    {
        var skiaFormat = format switch
        {
            FrameFormat.Jpeg => SKEncodedImageFormat.Jpeg,
            FrameFormat.Webp => SKEncodedImageFormat.Webp,
            FrameFormat.Png => SKEncodedImageFormat.Png,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
        };
        return Encode(image.Info with { AlphaType = SKAlphaType.Opaque }, image.Pixels, skiaFormat, quality);
    }

    /// <summary>PNG of unpremultiplied RGBA8888 pixels (colour and alpha kept independent).</summary>
    public static byte[] EncodeRgbaPng(int width, int height, byte[] unpremultipliedRgba)
        => Encode(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), unpremultipliedRgba, SKEncodedImageFormat.Png, 100);

    private static byte[] Encode(SKImageInfo info, byte[] pixels, SKEncodedImageFormat format, int quality)
    {
        using var image = SKImage.FromPixelCopy(info, pixels)
            ?? throw new InvalidOperationException("Skia could not wrap the pixels");
        using var data = image.Encode(format, quality)
            ?? throw new InvalidOperationException($"Skia could not encode {format}");
        return data.ToArray();
    }
}
