using SkiaSharp;

namespace SaliencySlider.Gateway.Submission;

public sealed record ImageHeader(SKEncodedImageFormat Format, int Width, int Height);

/// <summary>Reads an encoded image's format and dimensions from its header, without decoding pixels.</summary>
public static class ImageHeaderInspector
{
    public static readonly IReadOnlySet<SKEncodedImageFormat> SupportedFormats = new HashSet<SKEncodedImageFormat>
    {
        SKEncodedImageFormat.Jpeg, SKEncodedImageFormat.Png, SKEncodedImageFormat.Webp, SKEncodedImageFormat.Gif, SKEncodedImageFormat.Bmp,
    };

    public const string SupportedFormatNames = "JPEG, PNG, WebP, GIF or BMP";

    /// <summary>The header, or null when the bytes are not an image any codec recognises.</summary>
    public static ImageHeader? TryRead(ReadOnlyMemory<byte> encoded)
    {
        using var data = SKData.CreateCopy(encoded.Span);
        using var codec = SKCodec.Create(data);
        return codec is null ? null : new ImageHeader(codec.EncodedFormat, codec.Info.Width, codec.Info.Height);
    }
}
