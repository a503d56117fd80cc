using System.Runtime.InteropServices;
using SkiaSharp;

namespace SaliencySlider.Engine.Imaging;

/// <summary>Turns an image stored with an EXIF orientation upright (exact pixel moves, no resampling).</summary>
public static class ImageOrientation
{
    public static RgbaImage ToUpright(RgbaImage stored, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft)
        {
            return stored;
        }
        var w = stored.Width;
        var h = stored.Height;
        var swapsAxes = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var outWidth = swapsAxes ? h : w;
        var outHeight = swapsAxes ? w : h;
        var source = MemoryMarshal.Cast<byte, uint>(stored.Pixels.AsSpan());
        var result = new byte[stored.Pixels.Length];
        var target = MemoryMarshal.Cast<byte, uint>(result.AsSpan());
        for (var y = 0; y < outHeight; y++)
        {
            for (var x = 0; x < outWidth; x++)
            {
                // (sx, sy): the stored pixel shown at (x, y) once upright.
                var (sx, sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (w - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (w - 1 - x, h - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, h - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (y, h - 1 - x),
                    SKEncodedOrigin.RightBottom => (w - 1 - y, h - 1 - x),
                    SKEncodedOrigin.LeftBottom => (w - 1 - y, x),
                    _ => (x, y),
                };
                target[(y * outWidth) + x] = source[(sy * w) + sx];
            }
        }
        return new RgbaImage(outWidth, outHeight, result);
    }
}
