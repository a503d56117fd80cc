using System.Diagnostics;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.ExplainerWorker.Processing;
using SaliencySlider.Shared.Telemetry;

namespace SaliencySlider.ExplainerWorker.Telemetry;

/// <summary>
/// One attempt of one job, as a span in the trace of the request that queued it (the traceparent in
/// the job record) with a child span per stage, and as metrics. The engine reports its stages as
/// timings, not as callbacks: "explain" (until the explanation is ready) and "frames" (until the last
/// frame) are measured here; "decode", "gradient" and "cam" are placed inside "explain" one after the
/// other with the engine's durations, and "frames_inference" and "render" (the encoding) are the
/// engine's cumulative times inside "frames" (their batches interleave). Each Redis write is a "store" span.
/// </summary>
public sealed class JobTelemetry : IDisposable
{
    public static readonly ActivitySource Source = new(TelemetryNames.Worker);
    private readonly WorkerMetrics _metrics;
    private readonly Activity? _job;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private Activity? _stage;
    private DateTime _explainStartUtc;
    private ActivityContext _explainContext;
    private ActivityContext _framesContext;

    private JobTelemetry(WorkerMetrics metrics, Activity? job)
    {
        _metrics = metrics;
        _job = job;
    }

    public static JobTelemetry Start(WorkerMetrics metrics, string jobId, string? traceParent, int attempt)
    {
        metrics.Attempt(attempt);
        var job = Source.StartActivity("ProcessJob", ActivityKind.Consumer, TraceContext.Parse(traceParent));
        job?.SetTag(TelemetryNames.JobIdTag, jobId);
        job?.SetTag("saliency.attempt", attempt);
        return new JobTelemetry(metrics, job);
    }

    /// <summary>The engine is about to run.</summary>
    public void ExplainStarted()
    {
        _explainStartUtc = DateTime.UtcNow;
        _stage = Source.StartActivity("explain");
        _explainContext = _stage?.Context ?? default;
    }

    /// <summary>An event from the engine, before it is stored.</summary>
    public void Observe(ExplainEvent engineEvent)
    {
        switch (engineEvent)
        {
            case ExplanationReady ready:
                _stage?.SetTag("saliency.method", ready.Method).SetTag("saliency.layer", ready.Layer).Dispose();
                _stage = Source.StartActivity("frames")?.SetTag("saliency.frame_count", ready.FrameCount);
                _framesContext = _stage?.Context ?? default;
                break;
            case SliderFrame:
                _metrics.FrameWritten();
                break;
            case ExplanationCompleted completed:
                EndFrames(completed.Timings);
                break;
        }
    }

    public void Completed(StageTimings timings, double queueMs) => _metrics.StageTimings(timings, queueMs);

    /// <summary>A span around one Redis write; its duration also goes to the "store" stage histogram.</summary>
    public StoreSpan Store() => new(Source.StartActivity("store"), _metrics);

    public void Failed(string reason) => _job?.SetStatus(ActivityStatusCode.Error, reason);

    public void Dispose()
    {
        _stage?.Dispose();
        _metrics.JobDuration(_elapsed.Elapsed);
        _job?.Dispose();
    }

    private void EndFrames(StageTimings timings)
    {
        if (_stage is { } frames)
        {
            frames.SetTag("saliency.frames_inference_ms", timings.FramesInferenceMs).SetTag("saliency.render_ms", timings.RenderMs);
            var end = DateTime.UtcNow;
            Engine("frames_inference", _framesContext, end - TimeSpan.FromMilliseconds(timings.FramesInferenceMs + timings.RenderMs), timings.FramesInferenceMs);
            Engine("render", _framesContext, end - TimeSpan.FromMilliseconds(timings.RenderMs), timings.RenderMs);
            frames.Dispose();
            _stage = null;
        }

        if (_explainContext != default)
        {
            var at = _explainStartUtc;
            at = Engine("decode", _explainContext, at, timings.DecodeMs);
            at = Engine("gradient", _explainContext, at, timings.GradientMs);
            Engine("cam", _explainContext, at, timings.CamMs);
        }
    }

    /// <summary>A span with the engine's measured duration, starting at <paramref name="startUtc"/>; returns its end.</summary>
    private static DateTime Engine(string name, ActivityContext parent, DateTime startUtc, double milliseconds)
    {
        var end = startUtc + TimeSpan.FromMilliseconds(milliseconds);
        using var span = Source.StartActivity(name, ActivityKind.Internal, parent, startTime: startUtc);
        span?.SetTag("saliency.timing", "engine");
        span?.SetEndTime(end);
        return end;
    }

    public readonly struct StoreSpan(Activity? activity, WorkerMetrics metrics) : IDisposable
    {
        private readonly long _started = Stopwatch.GetTimestamp();

        public void Dispose()
        {
            metrics.StageDuration("store", Stopwatch.GetElapsedTime(_started).TotalMilliseconds);
            activity?.Dispose();
        }
    }
}
