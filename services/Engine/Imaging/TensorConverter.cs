using SaliencySlider.Engine.Models;

namespace SaliencySlider.Engine.Imaging;

/// <summary>Pixels to the model's NCHW float input: <c>(pixel / PixelScale − Mean[c]) / Std[c]</c> in the model's channel order.</summary>
public static class TensorConverter
{
    public static float[] ToTensor(RgbaImage image, ModelManifest manifest)
    {
        var tensor = new float[3 * image.Width * image.Height];
        WriteTensor(image, manifest, tensor);
        return tensor;
    }

    public static void WriteTensor(RgbaImage image, ModelManifest manifest, Span<float> destination)
    {
        var plane = image.Width * image.Height;
        if (destination.Length != 3 * plane)
        {
            throw new ArgumentException($"a {image.Width}x{image.Height} image needs {3 * plane} floats, got {destination.Length}", nameof(destination));
        }
        var pixels = image.Pixels;
        var scale = manifest.PixelScale;
        for (var channel = 0; channel < 3; channel++)
        {
            var sourceChannel = manifest.ChannelOrder == ChannelOrder.Rgb ? channel : 2 - channel;
            var mean = manifest.Mean[channel];
            var std = manifest.Std[channel];
            var target = destination.Slice(channel * plane, plane);
            for (var i = 0; i < plane; i++)
            {
                target[i] = ((pixels[(i * 4) + sourceChannel] / scale) - mean) / std;
            }
        }
    }
}
