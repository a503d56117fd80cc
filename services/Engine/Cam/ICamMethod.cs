namespace SaliencySlider.Engine.Cam;

/// <summary>A class-activation-map method: from A and ∂y/∂A to a [h, w] map, ReLU applied.</summary>
public interface ICamMethod
{
    /// <summary>Short name as the CLI and the results call it, e.g. "gradcam".</summary>
    string Name { get; }

    float[] Compute(in ActivationMaps maps);
}
