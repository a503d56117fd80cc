using SkiaSharp;

namespace SaliencySlider.Engine.Imaging;

/// <summary>Resizes a region of an image with Skia (bilinear from the nearest mipmap level when shrinking, to avoid aliasing).</summary>
public static class ImageResampler
{
    public static RgbaImage Resample(RgbaImage image, ModelView region, int width, int height)
    {
        if (region.IsWholeImage(image) && width == image.Width && height == image.Height)
        {
            return image;
        }
        var shrinking = width < region.Width || height < region.Height;
        // Nearest level, not trilinear: Skia's raster trilinear path was 5–8× slower on the test photos, and its RMS error
        // against an exact area average only up to 0.4 grey levels smaller (PrepareBench times the resamples).
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, shrinking ? SKMipmapMode.Nearest : SKMipmapMode.None);
        using var source = image.ToSkImage();
        using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
        var sourceRect = new SKRect(region.X, region.Y, region.X + region.Width, region.Y + region.Height);
        return RgbaImage.Render(width, height, canvas =>
            canvas.DrawImage(source, sourceRect, new SKRect(0, 0, width, height), sampling, paint));
    }

    /// <summary>The size of a region scaled so its longest side is at most <paramref name="maxSide"/> (never enlarged).</summary>
    public static (int Width, int Height) FitWithin(float width, float height, int maxSide)
    {
        var scale = Math.Min(1.0, maxSide / Math.Max(width, height));
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }
}
