using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Cam;

/// <summary>The CAM methods by kind and by name.</summary>
public static class CamMethods
{
    private static readonly Dictionary<CamMethodKind, ICamMethod> ByKind = new()
    {
        [CamMethodKind.GradCam] = new GradCam(),
        [CamMethodKind.GradCamPlusPlus] = new GradCamPlusPlus(),
        [CamMethodKind.HiResCam] = new HiResCam(),
        [CamMethodKind.XGradCam] = new XGradCam(),
        [CamMethodKind.LayerCam] = new LayerCam(),
        [CamMethodKind.EigenCam] = new EigenCam(),
        [CamMethodKind.ScoreCam] = new ScoreCam(),
    };

    public static ICamMethod For(CamMethodKind kind) => ByKind.TryGetValue(kind, out var method)
        ? method
        : throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown CAM method");

    public static string NameOf(CamMethodKind kind) => For(kind).Name;

    /// <summary>Whether the method reads d(score)/d(activations); EigenCAM and Score-CAM read the activations alone.</summary>
    public static bool NeedsGradients(CamMethodKind kind) => kind is not (CamMethodKind.EigenCam or CamMethodKind.ScoreCam);

    /// <summary>Every registered method, in enum order (what a comparison runs).</summary>
    public static IReadOnlyList<CamMethodKind> Kinds { get; } = ByKind.Keys.Order().ToArray();

    /// <summary>
    /// Whether the method scores channels with forward passes of masked inputs (Score-CAM): the explainer runs them
    /// and passes the scores in <see cref="ActivationMaps.ChannelScores"/>.
    /// </summary>
    public static bool NeedsForwardPasses(CamMethodKind kind) => kind == CamMethodKind.ScoreCam;

    /// <summary>Names in enum order: gradcam, gradcampp, hirescam, xgradcam, layercam, eigencam, scorecam.</summary>
    public static IReadOnlyList<string> Names { get; } = ByKind.OrderBy(p => p.Key).Select(p => p.Value.Name).ToArray();

    public static bool TryParse(string name, out CamMethodKind kind)
    {
        foreach (var (candidate, method) in ByKind)
        {
            if (string.Equals(method.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }
        kind = default;
        return false;
    }
}
