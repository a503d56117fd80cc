using SkiaSharp;

namespace SaliencySlider.Engine.Imaging;

/// <summary>The blur baseline: a Gaussian blur as in RISE's insertion metric (sigma 5 px at 224 px), edges clamped.</summary>
public static class GaussianBlur
{
    public const float SigmaAt224 = 5f;

    /// <summary>RISE's sigma scaled to an image whose longest side is <paramref name="longestSide"/>.</summary>
    public static float SigmaFor(int longestSide) => SigmaAt224 * longestSide / 224f;

    public static RgbaImage Apply(RgbaImage image, float sigma)
    {
        using var source = image.ToSkImage();
        using var filter = SKImageFilter.CreateBlur(sigma, sigma, SKShaderTileMode.Clamp);
        using var paint = new SKPaint { ImageFilter = filter, BlendMode = SKBlendMode.Src };
        return RgbaImage.Render(image.Width, image.Height, canvas => canvas.DrawImage(source, 0, 0, SKSamplingOptions.Default, paint));
    }
}
