using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Imaging;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Tests.Parity;
using SaliencySlider.Engine.Tests.Support;
using SkiaSharp;
using Xunit.Abstractions;

namespace SaliencySlider.Engine.Tests.Imaging;

/// <summary>
/// A large JPEG is decoded at a reduced scale (Explainer.DecodeScale): its model input must stay close to
/// torchvision's preprocessing of the whole photo, which a full decode gives exactly (TorchvisionPreprocessingTests).
/// </summary>
public sealed class LargePhotoDecodeTests(ITestOutputHelper output)
{
    /// <summary>
    /// Grey levels RMS the scaled decode's model input may be from torchvision's: it reads 0.4–1.2 on these photos (a full
    /// decode 0.0–0.01); Skia's trilinear shrink, used before, read 2.5–4.9 scaled and 2.3–5.2 whole.
    /// </summary>
    private const double MaxScaledRms = 2.0;

    [Fact]
    public void A_large_JPEG_decoded_scaled_gives_the_model_the_input_a_full_decode_gives()
    {
        var manifest = ModelManifest.Load(TestPaths.MobileNetManifest);
        var folder = Path.Combine(Path.GetTempPath(), "saliency-large-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            foreach (var photo in new[] { "dog.jpg", "giraffe.jpg", "flower.jpg" })
            {
                File.WriteAllBytes(Path.Combine(folder, photo), Tiled(File.ReadAllBytes(TestPaths.Image(photo))));
            }
            var expected = PythonExport.Run("torchvision_preprocess.py", Path.Combine(folder, "torchvision"),
                "--images", folder, "--shorter-side", manifest.EffectiveShorterSide.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--crop", manifest.InputWidth.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var file in Directory.GetFiles(expected, "*.rgb").Order(StringComparer.Ordinal))
            {
                var torchvision = File.ReadAllBytes(file);
                var bytes = File.ReadAllBytes(Path.Combine(folder, Path.GetFileNameWithoutExtension(file)));
                var full = ImageDecoder.Decode(bytes);
                var scaled = ImageDecoder.Decode(bytes, (width, height) => Explainer.DecodeScale(width, height, manifest, ExplainLimits.DefaultMaxFrameSide));

                Assert.True(scaled.Width < full.Width && scaled.Height < full.Height, $"{file}: decoded {scaled.Width}×{scaled.Height} of {full.Width}×{full.Height}: not scaled");
                var fullRms = Rms(ModelInput(full, manifest), torchvision);
                var scaledRms = Rms(ModelInput(scaled, manifest), torchvision);
                output.WriteLine($"{Path.GetFileName(file)}: {full.Width}×{full.Height} decoded at {scaled.Width}×{scaled.Height}; RMS against torchvision: full decode {fullRms:F2}, scaled {scaledRms:F2} grey levels");
                Assert.True(scaledRms <= MaxScaledRms, $"{Path.GetFileName(file)}: scaled decode RMS {scaledRms:F2} against torchvision (full decode {fullRms:F2}), above {MaxScaledRms}");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_photo_smaller_than_twice_the_display_is_decoded_whole()
    {
        var manifest = ModelManifest.Load(TestPaths.MobileNetManifest);
        var bytes = File.ReadAllBytes(TestPaths.Image("dog.jpg"));
        var decoded = ImageDecoder.Decode(bytes, (width, height) => Explainer.DecodeScale(width, height, manifest, ExplainLimits.DefaultMaxFrameSide));

        Assert.Equal((768, 576), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void The_scale_is_asked_for_the_upright_image_and_a_png_is_decoded_whole()
    {
        var jpeg = TestImages.Encode(TestImages.Gradient(160, 96).Pixels, 160, 96, SKColorType.Rgba8888, SKAlphaType.Unpremul, SKEncodedImageFormat.Jpeg, 90);
        (int, int)? asked = null;

        var upright = ImageDecoder.Decode(TestImages.WithExifOrientation(jpeg, 6), (width, height) =>
        {
            asked = (width, height);
            return 0.5f;
        });
        var png = ImageDecoder.Decode(TestImages.EncodePng(TestImages.Gradient(160, 96)), (_, _) => 0.5f);

        Assert.Equal((96, 160), asked);
        Assert.Equal((48, 80), (upright.Width, upright.Height));
        Assert.Equal((160, 96), (png.Width, png.Height));
    }

    /// <summary>The photo tiled 4 × 4 (every other tile mirrored, so no seams), as a q92 JPEG: phone-sized, with detail down to the pixel.</summary>
    private static byte[] Tiled(byte[] photo)
    {
        using var source = SKImage.FromEncodedData(photo);
        using var surface = SKSurface.Create(new SKImageInfo(source.Width * 4, source.Height * 4, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        for (var row = 0; row < 4; row++)
        {
            for (var column = 0; column < 4; column++)
            {
                canvas.Save();
                canvas.Translate(column * source.Width, row * source.Height);
                if (column % 2 == 1)
                {
                    canvas.Scale(-1, 1, source.Width / 2f, 0);
                }
                canvas.DrawImage(source, 0, 0, SKSamplingOptions.Default);
                canvas.Restore();
            }
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 92);
        return data.ToArray();
    }

    private static RgbaImage ModelInput(RgbaImage image, ModelManifest manifest)
        => ImageResampler.Resample(image, ModelView.For(image, manifest), manifest.InputWidth, manifest.InputHeight);

    private static double Rms(RgbaImage input, byte[] rgb)
    {
        double squares = 0;
        for (var i = 0; i < rgb.Length; i++)
        {
            var difference = input.Pixels[(i / 3 * 4) + (i % 3)] - rgb[i];
            squares += difference * difference;
        }
        return Math.Sqrt(squares / rgb.Length);
    }
}
