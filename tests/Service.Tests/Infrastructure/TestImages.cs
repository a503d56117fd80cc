using SkiaSharp;

namespace SaliencySlider.Service.Tests.Infrastructure;

public static class TestImages
{
    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(RepoPaths.TestImages, name));

    /// <summary>
    /// A PNG of <paramref name="name"/> cropped by <paramref name="inset"/> pixels on every side: a
    /// different image (and so a different job) that still shows the same subject.
    /// </summary>
    public static byte[] Cropped(string name, int inset)
    {
        using var original = SKBitmap.Decode(Read(name));
        var area = new SKRectI(inset, inset, original.Width - inset, original.Height - inset);
        using var cropped = new SKBitmap(area.Width, area.Height);
        if (!original.ExtractSubset(cropped, area))
        {
            throw new InvalidOperationException($"cannot crop {name} by {inset}");
        }

        using var image = SKImage.FromBitmap(cropped);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
