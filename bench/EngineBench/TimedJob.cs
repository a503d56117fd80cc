using System.Diagnostics;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.EngineBench;

/// <summary>One whole job of the engine, as the CLI runs it: wall time, time to the first frame, and its own stage timings.</summary>
internal static class TimedJob
{
    public static (double TotalMs, double FirstFrameMs, StageTimings Stages) Run(Explainer explainer, byte[] imageBytes, ExplainSettings settings)
    {
        var clock = Stopwatch.StartNew();
        double first = -1;
        var frames = 0;
        StageTimings? stages = null;
        foreach (var e in explainer.ExplainAsync(imageBytes, settings).ToBlockingEnumerable())
        {
            if (e is ExplanationCompleted completed)
            {
                stages = completed.Timings;
            }
            if (e is SliderFrame)
            {
                frames++;
                if (first < 0)
                {
                    first = clock.Elapsed.TotalMilliseconds;
                }
            }
        }
        if (frames != settings.FrameCount)
        {
            throw new InvalidOperationException($"the job produced {frames} frames, expected {settings.FrameCount}");
        }
        return (clock.Elapsed.TotalMilliseconds, first, stages ?? throw new InvalidOperationException("no ExplanationCompleted"));
    }
}
