using SaliencySlider.Engine.Explaining;
using SkiaSharp;

namespace SaliencySlider.Engine.Imaging;

/// <summary>
/// Decodes JPEG, PNG, WebP, GIF (first frame) or BMP bytes into an upright opaque RGBA image:
/// EXIF orientation applied, any colour type converted to 8-bit RGBA, transparency composited on white,
/// no colour-profile conversion (as PIL and OpenCV read images).
/// </summary>
public static class ImageDecoder
{
    public const string NotAnImageMessage = "not a decodable image (expected JPEG, PNG, WebP, GIF or BMP)";

    /// <summary>Larger images are refused rather than risking the worker's memory.</summary>
    public const long MaxPixels = 100_000_000;

    private static readonly SKEncodedImageFormat[] SupportedFormats =
    [
        SKEncodedImageFormat.Jpeg, SKEncodedImageFormat.Png, SKEncodedImageFormat.Webp, SKEncodedImageFormat.Gif, SKEncodedImageFormat.Bmp,
    ];

    /// <summary>Checks the header only (format and size, no pixels decoded): a cheap early rejection.</summary>
    public static (SKEncodedImageFormat Format, int Width, int Height) Identify(ReadOnlySpan<byte> encoded)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = OpenCodec(data);
        return (codec.EncodedFormat, codec.Info.Width, codec.Info.Height);
    }

    /// <param name="scaleFor">
    /// Given the upright image's width and height, the least fraction of them the caller needs: a JPEG is then decoded at
    /// the smallest of its codec's scales (n/8, an inverse DCT of fewer coefficients) that is at least as large, in a
    /// fraction of the time and memory. Formats that cannot decode scaled are decoded whole.
    /// </param>
    public static RgbaImage Decode(ReadOnlySpan<byte> encoded, Func<int, int, float>? scaleFor = null)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = OpenCodec(data);
        var (width, height) = ScaledSize(codec, scaleFor);
        var opaque = codec.Info.AlphaType == SKAlphaType.Opaque;
        // No colour space on the destination: Skia then leaves the pixel values as encoded.
        var target = new SKImageInfo(width, height, SKColorType.Rgba8888, opaque ? SKAlphaType.Opaque : SKAlphaType.Premul);
        var pixels = new byte[width * height * 4];
        var result = codec.GetPixels(target, pixels);
        if (result != SKCodecResult.Success)
        {
            throw new InvalidImageException($"the {codec.EncodedFormat} image is truncated or corrupt ({result})");
        }
        if (!opaque)
        {
            CompositeOnWhite(pixels);
        }
        return ImageOrientation.ToUpright(new RgbaImage(width, height, pixels), codec.EncodedOrigin);
    }

    private static (int Width, int Height) ScaledSize(SKCodec codec, Func<int, int, float>? scaleFor)
    {
        var full = (codec.Info.Width, codec.Info.Height);
        if (scaleFor is null || codec.EncodedFormat != SKEncodedImageFormat.Jpeg)
        {
            return full;
        }
        var sideways = codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var scale = sideways ? scaleFor(full.Height, full.Width) : scaleFor(full.Width, full.Height);
        if (!(scale < 1f))
        {
            return full;
        }
        // libjpeg scales by n/8; the codec rounds a scale to the nearest, so each is tried from the smallest up.
        for (var eighths = 1; eighths < 8; eighths++)
        {
            var scaled = codec.GetScaledDimensions(eighths / 8f);
            if (scaled.Width >= scale * full.Width && scaled.Height >= scale * full.Height)
            {
                return (scaled.Width, scaled.Height);
            }
        }
        return full;
    }

    private static SKCodec OpenCodec(SKData data)
    {
        if (data.Size == 0)
        {
            throw new InvalidImageException(NotAnImageMessage);
        }
        var codec = SKCodec.Create(data) ?? throw new InvalidImageException(NotAnImageMessage);
        string? problem = null;
        if (!SupportedFormats.Contains(codec.EncodedFormat))
        {
            problem = $"unsupported image format {codec.EncodedFormat} (expected JPEG, PNG, WebP, GIF or BMP)";
        }
        else if (codec.Info.Width <= 0 || codec.Info.Height <= 0 || (long)codec.Info.Width * codec.Info.Height > MaxPixels)
        {
            problem = $"image of {codec.Info.Width}x{codec.Info.Height} pixels is empty or larger than {MaxPixels / 1_000_000} megapixels";
        }
        if (problem is not null)
        {
            codec.Dispose();
            throw new InvalidImageException(problem);
        }
        return codec;
    }

    /// <summary>Premultiplied colour over white: c + (255 − a), exact in integers.</summary>
    private static void CompositeOnWhite(Span<byte> premultiplied)
    {
        for (var i = 0; i < premultiplied.Length; i += 4)
        {
            var missing = (byte)(255 - premultiplied[i + 3]);
            premultiplied[i] += missing;
            premultiplied[i + 1] += missing;
            premultiplied[i + 2] += missing;
            premultiplied[i + 3] = 255;
        }
    }
}
