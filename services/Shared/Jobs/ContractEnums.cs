using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Shared.Jobs;

/// <summary>
/// The contract's enums as the engine's kinds and back: the only place the two are paired. Every value is mapped
/// explicitly and an unknown one throws, so a value added to the proto or the engine fails ContractEnumsTests until
/// it is mapped here. A contract UNSPECIFIED is the engine's default (<see cref="ExplainLimits"/>): the gateway's
/// normaliser writes that default into the job's options through this mapping.
/// </summary>
public static class ContractEnums
{
    public static CamMethodKind ToEngine(CamMethod method) => method switch
    {
        CamMethod.Unspecified => ExplainLimits.DefaultMethod,
        CamMethod.GradCam => CamMethodKind.GradCam,
        CamMethod.GradCamPlusPlus => CamMethodKind.GradCamPlusPlus,
        CamMethod.HiresCam => CamMethodKind.HiResCam,
        CamMethod.XgradCam => CamMethodKind.XGradCam,
        CamMethod.LayerCam => CamMethodKind.LayerCam,
        CamMethod.EigenCam => CamMethodKind.EigenCam,
        CamMethod.ScoreCam => CamMethodKind.ScoreCam,
        _ => throw Unknown(method),
    };

    public static CamMethod ToContract(CamMethodKind kind) => kind switch
    {
        CamMethodKind.GradCam => CamMethod.GradCam,
        CamMethodKind.GradCamPlusPlus => CamMethod.GradCamPlusPlus,
        CamMethodKind.HiResCam => CamMethod.HiresCam,
        CamMethodKind.XGradCam => CamMethod.XgradCam,
        CamMethodKind.LayerCam => CamMethod.LayerCam,
        CamMethodKind.EigenCam => CamMethod.EigenCam,
        CamMethodKind.ScoreCam => CamMethod.ScoreCam,
        _ => throw Unknown(kind),
    };

    public static BaselineKind ToEngine(Baseline baseline) => baseline switch
    {
        Baseline.Unspecified => ExplainLimits.DefaultBaseline,
        Baseline.Blur => BaselineKind.Blur,
        Baseline.Black => BaselineKind.Black,
        Baseline.Gray => BaselineKind.Gray,
        _ => throw Unknown(baseline),
    };

    public static Baseline ToContract(BaselineKind kind) => kind switch
    {
        BaselineKind.Blur => Baseline.Blur,
        BaselineKind.Black => Baseline.Black,
        BaselineKind.Gray => Baseline.Gray,
        _ => throw Unknown(kind),
    };

    public static FrameFormat ToEngine(ImageFormat format) => format switch
    {
        ImageFormat.Unspecified => ExplainLimits.DefaultFormat,
        ImageFormat.Jpeg => FrameFormat.Jpeg,
        ImageFormat.Webp => FrameFormat.Webp,
        ImageFormat.Png => FrameFormat.Png,
        _ => throw Unknown(format),
    };

    public static ImageFormat ToContract(FrameFormat format) => format switch
    {
        FrameFormat.Jpeg => ImageFormat.Jpeg,
        FrameFormat.Webp => ImageFormat.Webp,
        FrameFormat.Png => ImageFormat.Png,
        _ => throw Unknown(format),
    };

    private static ArgumentOutOfRangeException Unknown<T>(T value)
        where T : struct, Enum
        => new(typeof(T).Name, value, $"no {typeof(T).Name} value {value} is mapped (services/Shared/Jobs/ContractEnums.cs)");
}
