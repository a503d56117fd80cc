using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Imaging;
using SaliencySlider.Engine.Tests.Support;
using SkiaSharp;

namespace SaliencySlider.Engine.Tests.Imaging;

public class ImageDecoderTests
{
    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x25, 0x50, 0x44, 0x46, 0x2D, 0x31, 0x2E, 0x34, 0x0A })] // "%PDF-1.4"
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0 })] // a PNG signature and nothing else
    public void Non_image_bytes_are_refused_with_a_clear_message(byte[] bytes)
    {
        var error = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(bytes));

        Assert.Equal("not a decodable image (expected JPEG, PNG, WebP, GIF or BMP)", error.Message);
        Assert.Throws<InvalidImageException>(() => ImageDecoder.Identify(bytes));
    }

    [Fact]
    public void Text_bytes_are_refused()
        => Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode("hello, this is not an image"u8.ToArray()));

    [Fact]
    public void Truncated_image_is_refused()
    {
        var png = TestImages.EncodePng(TestImages.Gradient(64, 64));

        var error = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(png.AsSpan(0, png.Length / 2)));
        Assert.Contains("truncated or corrupt", error.Message);
    }

    [Fact]
    public void Png_decodes_to_the_exact_pixels()
    {
        var original = TestImages.Gradient(40, 30);

        var decoded = ImageDecoder.Decode(TestImages.EncodePng(original));

        Assert.Equal((40, 30), (decoded.Width, decoded.Height));
        Assert.Equal(original.Pixels, decoded.Pixels);
    }

    [Fact]
    public void Transparency_is_composited_on_white()
    {
        // Pixels: opaque red, fully transparent, half-transparent black.
        byte[] rgba = [255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128];
        var png = TestImages.Encode(rgba, 3, 1, SKColorType.Rgba8888, SKAlphaType.Unpremul, SKEncodedImageFormat.Png);

        var decoded = ImageDecoder.Decode(png);

        Assert.Equal(new byte[] { 255, 0, 0, 255, 255, 255, 255, 255, 127, 127, 127, 255 }, decoded.Pixels);
    }

    [Fact]
    public void Grayscale_becomes_rgb()
    {
        byte[] gray = [0, 100, 200, 255];
        var png = TestImages.Encode(gray, 2, 2, SKColorType.Gray8, SKAlphaType.Opaque, SKEncodedImageFormat.Png);

        var decoded = ImageDecoder.Decode(png);

        Assert.Equal(new byte[] { 0, 0, 0, 255, 100, 100, 100, 255, 200, 200, 200, 255, 255, 255, 255, 255 }, decoded.Pixels);
    }

    [Fact]
    public void Exif_orientation_is_applied()
    {
        // A 60×20 image stored sideways (orientation 6: rotate 90° clockwise to display): left half black, right half white.
        var pixels = new byte[60 * 20 * 4];
        for (var i = 0; i < 60 * 20; i++)
        {
            var value = (byte)(i % 60 < 30 ? 0 : 255);
            pixels[i * 4] = pixels[(i * 4) + 1] = pixels[(i * 4) + 2] = value;
            pixels[(i * 4) + 3] = 255;
        }
        var jpeg = TestImages.Encode(pixels, 60, 20, SKColorType.Rgba8888, SKAlphaType.Opaque, SKEncodedImageFormat.Jpeg, 95);

        var upright = ImageDecoder.Decode(TestImages.WithExifOrientation(jpeg, 6));

        // Rotated clockwise: 20 wide, 60 tall; the stored left (black) half is now on top.
        Assert.Equal((20, 60), (upright.Width, upright.Height));
        Assert.True(upright.Pixels[(5 * 20 + 10) * 4] < 30);
        Assert.True(upright.Pixels[(55 * 20 + 10) * 4] > 225);
    }

    [Theory]
    [InlineData(SKEncodedOrigin.TopRight, new byte[] { 2, 1, 4, 3 }, 2, 2)]
    [InlineData(SKEncodedOrigin.BottomRight, new byte[] { 4, 3, 2, 1 }, 2, 2)]
    [InlineData(SKEncodedOrigin.BottomLeft, new byte[] { 3, 4, 1, 2 }, 2, 2)]
    [InlineData(SKEncodedOrigin.LeftTop, new byte[] { 1, 3, 2, 4 }, 2, 2)]
    [InlineData(SKEncodedOrigin.RightTop, new byte[] { 3, 1, 4, 2 }, 2, 2)]
    [InlineData(SKEncodedOrigin.RightBottom, new byte[] { 4, 2, 3, 1 }, 2, 2)]
    [InlineData(SKEncodedOrigin.LeftBottom, new byte[] { 2, 4, 1, 3 }, 2, 2)]
    public void Every_orientation_moves_pixels_as_EXIF_defines(SKEncodedOrigin origin, byte[] expectedRed, int width, int height)
    {
        // Stored 2×2 with red values 1 2 / 3 4.
        var stored = new RgbaImage(2, 2, [1, 0, 0, 255, 2, 0, 0, 255, 3, 0, 0, 255, 4, 0, 0, 255]);

        var upright = ImageOrientation.ToUpright(stored, origin);

        Assert.Equal((width, height), (upright.Width, upright.Height));
        Assert.Equal(expectedRed, upright.Pixels.Where((_, i) => i % 4 == 0));
    }

    [Fact]
    public void Animated_gif_gives_its_first_frame()
    {
        // A 1×1 GIF with two frames: palette index 0 (red), then index 1 (blue).
        byte[] gif =
        [
            .. "GIF89a"u8, 1, 0, 1, 0, 0x80, 0, 0, 0xFF, 0, 0, 0, 0, 0xFF,
            0x21, 0xF9, 4, 0, 10, 0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0,
            0x21, 0xF9, 4, 0, 10, 0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0,
            0x3B,
        ];

        var decoded = ImageDecoder.Decode(gif);

        Assert.Equal(new byte[] { 255, 0, 0, 255 }, decoded.Pixels);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp)]
    public void Lossy_formats_decode(SKEncodedImageFormat format)
    {
        var original = TestImages.Gradient(16, 16);
        var encoded = TestImages.Encode(original.Pixels, 16, 16, SKColorType.Rgba8888, SKAlphaType.Opaque, format);

        var decoded = ImageDecoder.Decode(encoded);

        Assert.Equal((16, 16), (decoded.Width, decoded.Height));
        Assert.Equal(format, ImageDecoder.Identify(encoded).Format);
    }
}
