using SaliencySlider.Engine.Imaging;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Tests.Support;

namespace SaliencySlider.Engine.Tests.Imaging;

public class PreprocessingTests
{
    private static readonly ModelManifest MobileNet = new()
    {
        Onnx = "m.onnx",
        Resize = ResizePolicy.ShorterSideThenCenterCrop,
        ResizeShorterSide = 256,
        PixelScale = 127.5f,
        Mean = [1, 1, 1],
        Std = [1, 1, 1],
    };

    [Fact]
    public void Image_of_the_input_size_is_fed_without_resampling()
    {
        var image = TestImages.Gradient(224, 224);

        var view = ModelView.For(image, MobileNet);
        var input = ImageResampler.Resample(image, view, 224, 224);
        var tensor = TensorConverter.ToTensor(input, MobileNet);

        Assert.True(view.IsWholeImage(image));
        Assert.Same(image, input);
        // Pixel (x=7, y=3): R = 7, G = 3, B = 10 → p / 127.5 − 1 in each NCHW plane.
        var at = (3 * 224) + 7;
        Assert.Equal((7 / 127.5f) - 1f, tensor[at]);
        Assert.Equal((3 / 127.5f) - 1f, tensor[(224 * 224) + at]);
        Assert.Equal((10 / 127.5f) - 1f, tensor[(2 * 224 * 224) + at]);
    }

    [Fact]
    public void Shorter_side_then_center_crop_sees_the_central_region()
    {
        // 512×384: shorter side → 256 gives 341×256; the 224 crop starts at (58.5 → 58, 16) in resized pixels.
        var view = ModelView.For(TestImages.Gradient(512, 384), MobileNet);

        var scale = 384 / 256f;
        Assert.Equal(58 * 512 / 341f, view.X, 1e-3f);
        Assert.Equal(16 * scale, view.Y, 1e-3f);
        Assert.Equal(224 * (512 / 341f), view.Width, 1e-3f);
        Assert.Equal(224 * scale, view.Height, 1e-3f);
    }

    [Fact]
    public void Squash_sees_the_whole_image()
    {
        var image = TestImages.Gradient(300, 100);

        Assert.True(ModelView.For(image, MobileNet with { Resize = ResizePolicy.Squash }).IsWholeImage(image));
    }

    [Fact]
    public void Bgr_models_get_channels_swapped_and_normalised_per_channel()
    {
        var image = RgbaImage.Filled(2, 1, 10, 20, 30);
        var manifest = new ModelManifest { Onnx = "m.onnx", ChannelOrder = ChannelOrder.Bgr, PixelScale = 1, Mean = [1, 2, 3], Std = [2, 2, 2] };

        var tensor = TensorConverter.ToTensor(image, manifest);

        Assert.Equal([14.5f, 14.5f, 9f, 9f, 3.5f, 3.5f], tensor);
    }

    [Fact]
    public void Resampling_shrinks_to_the_requested_size_and_keeps_flat_colour()
    {
        var image = RgbaImage.Filled(300, 200, 40, 80, 120);

        var resized = ImageResampler.Resample(image, ModelView.WholeImage(image), 150, 100);

        Assert.Equal((150, 100), (resized.Width, resized.Height));
        Assert.All(resized.Pixels.Chunk(4), p => Assert.Equal(new byte[] { 40, 80, 120, 255 }, p));
    }

    [Theory]
    [InlineData(1024, 768, 512, 512, 384)]
    [InlineData(300, 200, 512, 300, 200)]
    [InlineData(100, 400, 64, 16, 64)]
    public void Display_size_fits_the_longest_side_without_enlarging(float width, float height, int maxSide, int expectedWidth, int expectedHeight)
        => Assert.Equal((expectedWidth, expectedHeight), ImageResampler.FitWithin(width, height, maxSide));

    [Fact]
    public void Blur_smooths_an_edge_but_keeps_flat_regions()
    {
        var pixels = new byte[64 * 64 * 4];
        for (var i = 0; i < 64 * 64; i++)
        {
            var value = (byte)(i % 64 < 32 ? 0 : 255);
            pixels[i * 4] = pixels[(i * 4) + 1] = pixels[(i * 4) + 2] = value;
            pixels[(i * 4) + 3] = 255;
        }

        var blurred = GaussianBlur.Apply(new RgbaImage(64, 64, pixels), 5);

        var row = 32 * 64;
        Assert.InRange(blurred.Pixels[(row + 31) * 4], 60, 195); // at the edge: mixed
        Assert.Equal(0, blurred.Pixels[row * 4]); // far left: still black (edges clamp, no dark border)
        Assert.Equal(255, blurred.Pixels[(row + 63) * 4]);
        Assert.Equal(255, blurred.Pixels[((row + 31) * 4) + 3]);
    }
}
