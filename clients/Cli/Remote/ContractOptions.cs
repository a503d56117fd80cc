using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Cli.Remote;

/// <summary>The command line's choices (engine kinds) as the contract's enums.</summary>
internal static class ContractOptions
{
    public static CamMethod Method(CamMethodKind kind) => kind switch
    {
        CamMethodKind.GradCamPlusPlus => CamMethod.GradCamPlusPlus,
        CamMethodKind.HiResCam => CamMethod.HiresCam,
        CamMethodKind.XGradCam => CamMethod.XgradCam,
        CamMethodKind.LayerCam => CamMethod.LayerCam,
        CamMethodKind.EigenCam => CamMethod.EigenCam,
        CamMethodKind.ScoreCam => CamMethod.ScoreCam,
        _ => CamMethod.GradCam,
    };

    public static Baseline Baseline(BaselineKind kind) => kind switch
    {
        BaselineKind.Black => Contracts.V1.Baseline.Black,
        BaselineKind.Gray => Contracts.V1.Baseline.Gray,
        _ => Contracts.V1.Baseline.Blur,
    };

    public static ImageFormat Format(FrameFormat format) => format switch
    {
        FrameFormat.Webp => ImageFormat.Webp,
        FrameFormat.Png => ImageFormat.Png,
        _ => ImageFormat.Jpeg,
    };
}
