using SaliencySlider.Engine.Imaging;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Tests.Parity;
using SaliencySlider.Engine.Tests.Support;
using Xunit.Abstractions;

namespace SaliencySlider.Engine.Tests.Imaging;

/// <summary>
/// The default model's input against torchvision's Resize(256) + CenterCrop(224) of the same photo (PIL, bilinear,
/// antialiased: the preprocessing ImageNet models are trained and evaluated with), by
/// bench/baseline/torchvision_preprocess.py. The bounds sit above what the engine's trilinear shrink gives (mean RMS
/// 3.1 grey levels, worst photo 6.9) and below what a shrink that aliases gives (the nearest mipmap level alone: 4.4
/// and 14.2).
/// </summary>
public sealed class TorchvisionPreprocessingTests(ITestOutputHelper output)
{
    private const double MaxMeanRms = 3.8;
    private const double MaxPhotoRms = 10;

    [Fact]
    public void The_model_input_of_every_photo_is_close_to_torchvisions_resize_and_center_crop()
    {
        var manifest = ModelManifest.Load(TestPaths.MobileNetManifest);
        var images = Path.GetDirectoryName(TestPaths.Image("chelsea.png"))!;
        var folder = PythonExport.Run("torchvision_preprocess.py", Path.Combine(Path.GetTempPath(), "saliency-torchvision-" + Guid.NewGuid().ToString("N")),
            "--images", images, "--shorter-side", manifest.EffectiveShorterSide.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--crop", manifest.InputWidth.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            var errors = new List<double>();
            foreach (var file in Directory.GetFiles(folder, "*.rgb").Order(StringComparer.Ordinal))
            {
                var expected = File.ReadAllBytes(file);
                var image = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(images, Path.GetFileNameWithoutExtension(file))));
                var input = ImageResampler.Resample(image, ModelView.For(image, manifest), manifest.InputWidth, manifest.InputHeight, ResampleTarget.ModelInput);
                double squares = 0;
                for (var i = 0; i < expected.Length; i++)
                {
                    var difference = input.Pixels[(i / 3 * 4) + (i % 3)] - expected[i];
                    squares += difference * difference;
                }
                var rms = Math.Sqrt(squares / expected.Length);
                output.WriteLine($"{Path.GetFileName(file)}: RMS {rms:F2} grey levels");
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
