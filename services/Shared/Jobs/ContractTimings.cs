using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Shared.Jobs;

/// <summary>A job's stage timings between the engine's record and the contract's message (which adds the queue wait).</summary>
public static class ContractTimings
{
    public static Timings ToContract(StageTimings timings, double queueMs) => new()
    {
        QueueMs = queueMs,
        DecodeMs = timings.DecodeMs,
        GradientMs = timings.GradientMs,
        CamMs = timings.CamMs,
        FramesInferenceMs = timings.FramesInferenceMs,
        RenderMs = timings.RenderMs,
        TotalMs = timings.TotalMs,
    };

    public static StageTimings ToEngine(Timings timings) => new()
    {
        DecodeMs = timings.DecodeMs,
        GradientMs = timings.GradientMs,
        CamMs = timings.CamMs,
        FramesInferenceMs = timings.FramesInferenceMs,
        RenderMs = timings.RenderMs,
        TotalMs = timings.TotalMs,
    };
}
