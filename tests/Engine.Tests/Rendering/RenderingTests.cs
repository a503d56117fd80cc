using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Imaging;
using SaliencySlider.Engine.Rendering;
using SaliencySlider.Engine.Tests.Support;
using SkiaSharp;

namespace SaliencySlider.Engine.Tests.Rendering;

public class RenderingTests
{
    [Fact]
    public void Npy_file_has_the_numpy_header_and_little_endian_floats()
    {
        var values = Enumerable.Range(0, 49).Select(i => i * 0.5f).ToArray();

        var (shape, read, header) = NpyReader.Read(NpyWriter.ToBytes(values, 7, 7));

        Assert.Equal([7, 7], shape);
        Assert.Equal(values, read);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (7, 7), }", header);
    }

    [Fact]
    public void Npy_one_dimensional_shape_has_the_python_tuple_comma()
    {
        var (_, _, header) = NpyReader.Read(NpyWriter.ToBytes([1f, 2f, 3f], 3));

        Assert.Contains("'shape': (3,)", header);
        Assert.Throws<ArgumentException>(() => NpyWriter.ToBytes([1f, 2f], 3));
    }

    [Fact]
    public void Turbo_runs_from_dark_through_blue_and_green_to_red()
    {
        var low = TurboColorMap.Map(0);
        var quarter = TurboColorMap.Map(0.25f);
        var middle = TurboColorMap.Map(0.5f);
        var high = TurboColorMap.Map(1);

        Assert.True(low.R + low.G + low.B < 120);
        Assert.True(quarter.B > quarter.R && quarter.B > 200);
        Assert.True(middle.G > middle.B && middle.G > middle.R && middle.G > 200);
        Assert.True(high.R > 100 && high.R > 10 * Math.Max(high.G, high.B));
        Assert.Equal(TurboColorMap.Map(1), TurboColorMap.Map(7)); // clamped
    }

    [Fact]
    public void Heatmap_png_keeps_saliency_in_alpha()
    {
        var png = ImageEncoder.EncodeRgbaPng(2, 2, HeatmapRenderer.HeatmapPixels([0f, 0.5f, 1f, 1f]));

        Assert.True(FileMagic.IsPng(png));
        using var bitmap = SKBitmap.Decode(png, new SKImageInfo(2, 2, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Assert.Equal(0, bitmap.GetPixel(0, 0).Alpha);
        Assert.Equal(128, bitmap.GetPixel(1, 0).Alpha);
        Assert.Equal(255, bitmap.GetPixel(0, 1).Alpha);
        var hot = TurboColorMap.Map(1);
        Assert.Equal(new SKColor(hot.R, hot.G, hot.B, 255), bitmap.GetPixel(1, 1));
    }

    [Fact]
    public void Heatmap_colours_a_value_as_turbo_colours_its_nearest_of_256_levels()
    {
        float[] values = [0f, 0.3f, 0.5004f, 0.999f];

        var pixels = HeatmapRenderer.HeatmapPixels(values);

        for (var i = 0; i < values.Length; i++)
        {
            var level = (int)Math.Round(values[i] * 255);
            var (r, g, b) = TurboColorMap.Map(level / 255f);
            Assert.Equal(new byte[] { r, g, b, (byte)level }, pixels[(i * 4)..((i * 4) + 4)]);
        }
    }

    [Fact]
    public void Overlay_leaves_unsalient_pixels_and_tints_salient_ones()
    {
        var image = RgbaImage.Filled(2, 1, 100, 100, 100);
        var heatmap = HeatmapRenderer.HeatmapPixels([0f, 1f]);

        var overlay = HeatmapRenderer.Overlay(image, heatmap, opacity: 0.5f);

        Assert.Equal(new byte[] { 100, 100, 100, 255 }, overlay.Pixels[..4]);
        var hot = TurboColorMap.Map(1);
        Assert.Equal((byte)Math.Round((100 + hot.R) / 2.0), overlay.Pixels[4]);
    }

    [Theory]
    [InlineData(FrameFormat.Jpeg, "image/jpeg")]
    [InlineData(FrameFormat.Webp, "image/webp")]
    [InlineData(FrameFormat.Png, "image/png")]
    public void Frames_encode_in_the_requested_format(FrameFormat format, string mimeType)
    {
        var bytes = ImageEncoder.Encode(TestImages.Gradient(32, 16), format);

        Assert.Equal(mimeType, ImageEncoder.MimeType(format));
        var matches = format switch
        {
            FrameFormat.Jpeg => FileMagic.IsJpeg(bytes),
            FrameFormat.Webp => FileMagic.IsWebp(bytes),
            _ => FileMagic.IsPng(bytes),
        };
        Assert.True(matches);
        var decoded = ImageDecoder.Decode(bytes);
        Assert.Equal((32, 16), (decoded.Width, decoded.Height));
    }
}
