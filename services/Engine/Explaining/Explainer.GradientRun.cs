using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Explaining;

/// <summary>The gradient stage (<see cref="StageTimings.GradientMs"/>): one classifier run giving logits, target-layer activations and their gradients.</summary>
public sealed partial class Explainer
{
    /// <summary>
    /// One classifier run returning logits, activations and gradients for every image (all with the same target
    /// layer); the gradients are zeros when no image's method needs them.
    /// </summary>
    public GradientBatch ComputeGradients(IReadOnlyList<PreparedImage> images)
    {
        if (images.Count == 0)
        {
            throw new ArgumentException("no images", nameof(images));
        }
        var layer = images[0].TargetLayer;
        if (images.Any(i => i.TargetLayer != layer))
        {
            throw new ArgumentException("images of one gradient run must share the target layer", nameof(images));
        }
        var plane = images[0].InputTensor.Length;
        var input = new float[plane * images.Count];
        var targets = new int[images.Count];
        for (var i = 0; i < images.Count; i++)
        {
            images[i].InputTensor.CopyTo(input, i * plane);
            targets[i] = images[i].Settings.TargetClass ?? -1;
        }
        return Model.Classifier.ForwardWithGradients(input, images.Count, targets, layer, images.Any(NeedsGradients));
    }

    private static bool NeedsGradients(PreparedImage image) => CamMethods.NeedsGradients(image.Settings.Method);
}
