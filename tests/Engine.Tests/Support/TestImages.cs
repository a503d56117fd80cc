using SaliencySlider.Engine.Imaging;
using SkiaSharp;

namespace SaliencySlider.Engine.Tests.Support;

/// <summary>Small images built in the test, encoded with Skia.</summary>
internal static class TestImages
{
    /// <summary>A gradient image whose pixel (x, y) is (x, y, x + y) modulo 256.</summary>
    public static RgbaImage Gradient(int width, int height)
    {
        var pixels = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 4;
                pixels[i] = (byte)x;
                pixels[i + 1] = (byte)y;
                pixels[i + 2] = (byte)(x + y);
                pixels[i + 3] = 255;
            }
        }
        return new RgbaImage(width, height, pixels);
    }

    public static byte[] EncodePng(RgbaImage image) => Encode(image.Pixels, image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul, SKEncodedImageFormat.Png);

    public static byte[] Encode(byte[] pixels, int width, int height, SKColorType colorType, SKAlphaType alphaType, SKEncodedImageFormat format, int quality = 100)
    {
        using var image = SKImage.FromPixelCopy(new SKImageInfo(width, height, colorType, alphaType), pixels);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>The JPEG with an EXIF APP1 segment carrying <paramref name="orientation"/> inserted after SOI.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, first IFD at 8
            0, 1, // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, (byte)(orientation >> 8), (byte)orientation, 0, 0, // Orientation, SHORT, 1 value
            0, 0, 0, 0, // no next IFD
        ];
        byte[] exifId = [(byte)'E', (byte)'x', (byte)'i', (byte)'f', 0, 0];
        var length = 2 + exifId.Length + tiff.Length;
        byte[] segment = [0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. exifId, .. tiff];
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }
}
