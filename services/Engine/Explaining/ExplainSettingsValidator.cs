namespace SaliencySlider.Engine.Explaining;

/// <summary>Rejects settings outside the ranges the service documents (<see cref="ExplainLimits"/>), with a message a user can act on.</summary>
public static class ExplainSettingsValidator
{
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
        if (settings.FrameCount is < ExplainLimits.MinFrameCount or > ExplainLimits.MaxFrameCount)
        {
            throw new InvalidSettingsException($"frame count {settings.FrameCount} is outside {ExplainLimits.MinFrameCount}..{ExplainLimits.MaxFrameCount}");
        }
        if (settings.MaxFrameSide is < ExplainLimits.MinFrameSide or > ExplainLimits.MaxFrameSide)
        {
            throw new InvalidSettingsException($"max frame side {settings.MaxFrameSide} is outside {ExplainLimits.MinFrameSide}..{ExplainLimits.MaxFrameSide}");
        }
        if (settings.TopK is < ExplainLimits.MinTopK or > ExplainLimits.MaxTopK)
        {
            throw new InvalidSettingsException($"top-k {settings.TopK} is outside {ExplainLimits.MinTopK}..{ExplainLimits.MaxTopK}");
        }
        if (settings.ScoreCamChannels is < 1 or > ExplainLimits.MaxScoreCamChannels)
        {
            throw new InvalidSettingsException(
                $"Score-CAM channel cap {settings.ScoreCamChannels} is outside 1..{ExplainLimits.MaxScoreCamChannels} (a cap of at least the layer's channel count scores them all)");
        }
        if (settings.TargetClass is { } target && (target < 0 || target >= classCount))
        {
            throw new InvalidSettingsException($"target class {target} is outside 0..{classCount - 1}");
        }
    }
}
