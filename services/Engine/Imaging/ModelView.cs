using SaliencySlider.Engine.Models;

namespace SaliencySlider.Engine.Imaging;

/// <summary>The region of the upright image that the model sees, in image pixels.</summary>
public readonly record struct ModelView(float X, float Y, float Width, float Height)
{
    public bool IsWholeImage(RgbaImage image) => X == 0 && Y == 0 && Width == image.Width && Height == image.Height;

    public static ModelView WholeImage(RgbaImage image) => new(0, 0, image.Width, image.Height);

    /// <summary>
    /// The whole image for squash, or for an image that already has the input size (so that it is fed
    /// without resampling); otherwise the region that a resize of the shorter side followed by a centre
    /// crop (torchvision's Resize + CenterCrop) keeps.
    /// </summary>
    public static ModelView For(RgbaImage image, ModelManifest manifest) => For(image.Width, image.Height, manifest);

    /// <inheritdoc cref="For(RgbaImage, ModelManifest)"/>
    public static ModelView For(int width, int height, ModelManifest manifest)
    {
        var alreadyInputSize = width == manifest.InputWidth && height == manifest.InputHeight;
        if (manifest.Resize == ResizePolicy.Squash || alreadyInputSize)
        {
            return new ModelView(0, 0, width, height);
        }
        var shorterSide = manifest.EffectiveShorterSide;
        var shorter = Math.Min(width, height);
        var resizedWidth = width <= height ? shorterSide : (int)((long)shorterSide * width / shorter);
        var resizedHeight = height <= width ? shorterSide : (int)((long)shorterSide * height / shorter);
        var cropWidth = Math.Min(manifest.InputWidth, resizedWidth);
        var cropHeight = Math.Min(manifest.InputHeight, resizedHeight);
        var left = Math.Round((resizedWidth - cropWidth) / 2.0, MidpointRounding.ToEven);
        var top = Math.Round((resizedHeight - cropHeight) / 2.0, MidpointRounding.ToEven);
        var scaleX = (double)resizedWidth / width;
        var scaleY = (double)resizedHeight / height;
        return new ModelView((float)(left / scaleX), (float)(top / scaleY), (float)(cropWidth / scaleX), (float)(cropHeight / scaleY));
    }
}
