namespace SaliencySlider.Engine.Explaining;

/// <summary>
/// The one home of every explain option's range and default: the engine's settings and validator, the gateway's
/// option normaliser, the CLI's options and help read them here; the contract's comments, the docs, the demo page
/// and the Python package state them, and tests (ExplainLimitsDocumentedTests) keep those in agreement.
/// </summary>
public static class ExplainLimits
{
    /// <summary>Slider frames (points per curve): at least 0 % and 100 %.</summary>
    public const int MinFrameCount = 2;
    public const int MaxFrameCount = 101;
    public const int DefaultFrameCount = 21;

    /// <summary>Longest side of rendered frames (and a comparison's heatmaps) in pixels.</summary>
    public const int MinFrameSide = 16;
    public const int MaxFrameSide = 2048;
    public const int DefaultMaxFrameSide = 512;

    /// <summary>Classes each prediction lists.</summary>
    public const int MinTopK = 1;
    public const int MaxTopK = 20;
    public const int DefaultTopK = 5;

    /// <summary>Largest Score-CAM channel cap a request may name (above any layer's channel count; a cap of at least the channel count scores them all).</summary>
    public const int MaxScoreCamChannels = 8192;

    /// <summary>
    /// Channels Score-CAM scores on CPU when a request names no cap (every channel on CUDA): a MobileNetV2 job then
    /// takes a few seconds on two cores (docs/PERFORMANCE.md); every channel would take about 20 times as long.
    /// </summary>
    public const int CpuScoreCamChannels = 64;

    /// <summary>Longest target layer name (a tensor name of printable ASCII without spaces).</summary>
    public const int MaxLayerNameLength = 256;

    public const CamMethodKind DefaultMethod = CamMethodKind.GradCam;
    public const BaselineKind DefaultBaseline = BaselineKind.Blur;
    public const FrameFormat DefaultFormat = FrameFormat.Jpeg;
}
