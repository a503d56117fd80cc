using System.Diagnostics.Metrics;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Shared.Telemetry;

namespace SaliencySlider.ExplainerWorker.Processing;

/// <summary>
/// The worker's instruments (meter "SaliencySlider.ExplainerWorker"), scraped at /metrics on
/// Worker:MetricsPort, and the total of this process's job attempts (tests read it).
/// </summary>
public sealed class WorkerMetrics : IDisposable
{
    public const string MeterName = TelemetryNames.Worker;
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _frames;
    private readonly Histogram<double> _jobDuration;
    private readonly Histogram<double> _stageDuration;
    private long _startedTotal;
    private string? _executionProvider;

    public WorkerMetrics()
    {
        _started = _meter.CreateCounter<long>("saliency.worker.jobs_started", description: "Job attempts started");
        _completed = _meter.CreateCounter<long>("saliency.worker.jobs_completed", description: "Jobs completed");
        _failed = _meter.CreateCounter<long>("saliency.worker.jobs_failed", description: "Jobs failed");
        _outcomes = _meter.CreateCounter<long>("saliency.worker.jobs", "{job}",
            "Deliveries of a job by outcome: completed, failed, skipped (expired or already finished), handed_back (worker stopped)");
        _retries = _meter.CreateCounter<long>("saliency.worker.job_retries", "{attempt}",
            "Attempts after the first one (a job reclaimed or re-queued after a worker stopped or died)");
        _frames = _meter.CreateCounter<long>("saliency.worker.frames", "{frame}", "Slider frames written (rate() gives frames per second)");
        _jobDuration = _meter.CreateHistogram<double>("saliency.worker.job.duration", "s",
            "From the start of an attempt to its end (completed or failed)");
        _stageDuration = _meter.CreateHistogram<double>("saliency.worker.stage.duration", "s",
            "Time spent per stage of a completed job: queue, decode, gradient, cam, frames_inference, render (encode), store");
        _meter.CreateObservableGauge("saliency.worker.execution_provider", ObserveExecutionProvider, "{provider}",
            "1 for the ONNX Runtime execution provider the worker's models run on (label provider)");
    }

    public long JobsStarted => Interlocked.Read(ref _startedTotal);

    public void Started()
    {
        Interlocked.Increment(ref _startedTotal);
        _started.Add(1);
    }

    public void Completed()
    {
        _completed.Add(1);
        Outcome(JobOutcome.Completed);
    }

    public void Failed()
    {
        _failed.Add(1);
        Outcome(JobOutcome.Failed);
    }

    public void Skipped() => Outcome(JobOutcome.Skipped);

    public void HandedBack() => Outcome(JobOutcome.HandedBack);

    public void Attempt(int attempt)
    {
        if (attempt > 1)
        {
            _retries.Add(1);
        }
    }

    public void FrameWritten() => _frames.Add(1);

    public void JobDuration(TimeSpan elapsed) => _jobDuration.Record(elapsed.TotalSeconds);

    public void StageDuration(string stage, double milliseconds)
        => _stageDuration.Record(milliseconds / 1000, new KeyValuePair<string, object?>("stage", stage));

    public void StageTimings(StageTimings timings, double queueMs)
    {
        StageDuration("queue", queueMs);
        StageDuration("decode", timings.DecodeMs);
        StageDuration("gradient", timings.GradientMs);
        StageDuration("cam", timings.CamMs);
        StageDuration("frames_inference", timings.FramesInferenceMs);
        StageDuration("render", timings.RenderMs);
    }

    public void ExecutionProvider(string provider) => Volatile.Write(ref _executionProvider, provider);

    public void Dispose() => _meter.Dispose();

    private void Outcome(JobOutcome outcome) => _outcomes.Add(1, new KeyValuePair<string, object?>("outcome", outcome switch
    {
        JobOutcome.Completed => "completed",
        JobOutcome.Failed => "failed",
        JobOutcome.Skipped => "skipped",
        _ => "handed_back",
    }));

    private IEnumerable<Measurement<int>> ObserveExecutionProvider()
        => Volatile.Read(ref _executionProvider) is { } provider
            ? [new Measurement<int>(1, new KeyValuePair<string, object?>("provider", provider))]
            : [];
}
