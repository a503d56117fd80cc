namespace SaliencySlider.Engine.Cam;

/// <summary>LayerCAM (Jiang et al.): CAM = relu(Σ_k relu(G_k) ⊙ A_k), element-wise.</summary>
public sealed class LayerCam : ICamMethod
{
    public string Name => "layercam";

    public float[] Compute(in ActivationMaps maps) => ElementwiseWeightedSum.Compute(maps, positiveGradientsOnly: true);
}
