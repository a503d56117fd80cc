using SaliencySlider.Engine.Slider;

namespace SaliencySlider.Engine.Explaining;

/// <summary>Rejects settings outside the ranges the service documents, with a message a user can act on.</summary>
public static class ExplainSettingsValidator
{
    public const int MinFrameSide = 16;
    public const int MaxFrameSide = 2048;
    public const int MaxTopK = 20;

    public static void Validate(ExplainSettings settings, int classCount)
    {
        if (!Enum.IsDefined(settings.Method))
        {
            throw new InvalidSettingsException($"unknown CAM method {settings.Method}");
        }
        if (!Enum.IsDefined(settings.Baseline))
        {
            throw new InvalidSettingsException($"unknown baseline {settings.Baseline}");
        }
        if (!Enum.IsDefined(settings.Format))
        {
            throw new InvalidSettingsException($"unknown frame format {settings.Format}");
        }
        if (settings.FrameCount is < FrameOrder.MinFrames or > FrameOrder.MaxFrames)
        {
            throw new InvalidSettingsException($"frame count {settings.FrameCount} is outside {FrameOrder.MinFrames}..{FrameOrder.MaxFrames}");
        }
        if (settings.MaxFrameSide is < MinFrameSide or > MaxFrameSide)
        {
            throw new InvalidSettingsException($"max frame side {settings.MaxFrameSide} is outside {MinFrameSide}..{MaxFrameSide}");
        }
        if (settings.TopK is < 1 or > MaxTopK)
        {
            throw new InvalidSettingsException($"top-k {settings.TopK} is outside 1..{MaxTopK}");
        }
        if (settings.ScoreCamChannels is < 1 or > Cam.ScoreCam.MaxChannelCap)
        {
            throw new InvalidSettingsException(
                $"Score-CAM channel cap {settings.ScoreCamChannels} is outside 1..{Cam.ScoreCam.MaxChannelCap} (a cap of at least the layer's channel count scores them all)");
        }
        if (settings.TargetClass is { } target && (target < 0 || target >= classCount))
        {
            throw new InvalidSettingsException($"target class {target} is outside 0..{classCount - 1}");
        }
    }
}
