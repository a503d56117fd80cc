using SaliencySlider.Engine.Imaging;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Tests.Parity;
using SaliencySlider.Engine.Tests.Support;
using Xunit.Abstractions;

namespace SaliencySlider.Engine.Tests.Imaging;

/// <summary>
/// The default model's input against torchvision's Resize(256) + CenterCrop(224) of the same photo (PIL, bilinear,
/// antialiased: the preprocessing ImageNet models are trained and evaluated with), by
/// bench/baseline/torchvision_preprocess.py. The engine resamples as Pillow does, so only rounding differs: RMS 0.00–0.05
/// grey levels per photo. Skia's trilinear shrink, used before, gave a mean of 3.1 and 6.9 on the worst photo.
/// </summary>
public sealed class TorchvisionPreprocessingTests(ITestOutputHelper output)
{
    private const double MaxMeanRms = 0.1;
    private const double MaxPhotoRms = 0.25;

    private static readonly ModelManifest Manifest = ModelManifest.Load(TestPaths.MobileNetManifest);

    [Fact]
    public void The_model_input_of_every_photo_is_close_to_torchvisions_resize_and_center_crop()
        => AssertCloseToTorchvision(Path.GetDirectoryName(TestPaths.Image("chelsea.png"))!);

    [Fact]
    public void The_model_input_of_a_photo_smaller_than_the_input_is_enlarged_as_torchvision_enlarges_it()
    {
        var folder = Path.Combine(Path.GetTempPath(), "saliency-small-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var photo = ImageDecoder.Decode(File.ReadAllBytes(TestPaths.Image("dog.jpg")));
            var small = ImageResampler.Resample(photo, new ModelView(100, 50, 300, 200), 150, 100);
            File.WriteAllBytes(Path.Combine(folder, "small.png"), TestImages.EncodePng(small));
            AssertCloseToTorchvision(folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private void AssertCloseToTorchvision(string images)
    {
        var folder = PythonExport.Run("torchvision_preprocess.py", Path.Combine(Path.GetTempPath(), "saliency-torchvision-" + Guid.NewGuid().ToString("N")),
            "--images", images, "--shorter-side", Manifest.EffectiveShorterSide.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--crop", Manifest.InputWidth.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            var errors = new List<double>();
            foreach (var file in Directory.GetFiles(folder, "*.rgb").Order(StringComparer.Ordinal))
            {
                var expected = File.ReadAllBytes(file);
                var image = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(images, Path.GetFileNameWithoutExtension(file))));
                var input = ImageResampler.Resample(image, ModelView.For(image, Manifest), Manifest.InputWidth, Manifest.InputHeight);
                double squares = 0;
                for (var i = 0; i < expected.Length; i++)
                {
                    var difference = input.Pixels[(i / 3 * 4) + (i % 3)] - expected[i];
                    squares += difference * difference;
                }
                var rms = Math.Sqrt(squares / expected.Length);
                output.WriteLine($"{Path.GetFileName(file)} ({image.Width}×{image.Height}): RMS {rms:F2} grey levels");
                Assert.True(rms <= MaxPhotoRms, $"{Path.GetFileName(file)}: RMS {rms:F2} against torchvision, above {MaxPhotoRms}");
                errors.Add(rms);
            }
            Assert.NotEmpty(errors);
            Assert.True(errors.Average() <= MaxMeanRms, $"mean RMS {errors.Average():F2} against torchvision, above {MaxMeanRms}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
