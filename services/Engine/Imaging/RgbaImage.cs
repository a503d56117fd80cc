using System.Runtime.InteropServices;
using SkiaSharp;

namespace SaliencySlider.Engine.Imaging;

/// <summary>An opaque image as RGBA8888 bytes, row-major, no padding: the engine's in-memory image.</summary>
public sealed class RgbaImage
{
    public RgbaImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (pixels.Length != width * height * 4)
        {
            throw new ArgumentException($"{pixels.Length} bytes for a {width}x{height} RGBA image", nameof(pixels));
        }
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    public byte[] Pixels { get; }

    public static RgbaImage Filled(int width, int height, byte r, byte g, byte b)
    {
        var pixels = new byte[width * height * 4];
        var value = (uint)(r | (g << 8) | (b << 16) | (0xFF << 24));
        MemoryMarshal.Cast<byte, uint>(pixels.AsSpan()).Fill(value);
        return new RgbaImage(width, height, pixels);
    }

    // Opaque pixels read the same premultiplied or not; Premul is what raster surfaces accept.
    internal SKImageInfo Info => new(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul);

    /// <summary>A Skia image over a copy of the pixels.</summary>
    internal SKImage ToSkImage() => SKImage.FromPixelCopy(Info, Pixels)
        ?? throw new InvalidOperationException("Skia could not wrap the pixels");

    /// <summary>Draws with <paramref name="draw"/> on a new surface of the given size and reads it back.</summary>
    internal static RgbaImage Render(int width, int height, Action<SKCanvas> draw)
    {
        var result = new RgbaImage(width, height, new byte[width * height * 4]);
        using var surface = SKSurface.Create(result.Info)
            ?? throw new InvalidOperationException($"Skia could not create a {width}x{height} surface");
        draw(surface.Canvas);
        surface.Flush();
        ReadInto(surface, result);
        return result;
    }

    private static void ReadInto(SKSurface surface, RgbaImage result)
    {
        var handle = GCHandle.Alloc(result.Pixels, GCHandleType.Pinned);
        try
        {
            if (!surface.ReadPixels(result.Info, handle.AddrOfPinnedObject(), result.Width * 4, 0, 0))
            {
                throw new InvalidOperationException("Skia could not read the surface back");
            }
        }
        finally
        {
            handle.Free();
        }
    }
}
