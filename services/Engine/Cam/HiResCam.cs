namespace SaliencySlider.Engine.Cam;

/// <summary>HiResCAM (Draelos &amp; Carin): CAM = relu(Σ_k G_k ⊙ A_k), element-wise.</summary>
public sealed class HiResCam : ICamMethod
{
    public string Name => "hirescam";

    public float[] Compute(in ActivationMaps maps) => ElementwiseWeightedSum.Compute(maps, positiveGradientsOnly: false);
}
