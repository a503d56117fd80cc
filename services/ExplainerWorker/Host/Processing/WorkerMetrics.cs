using System.Diagnostics.Metrics;

namespace SaliencySlider.ExplainerWorker.Processing;

/// <summary>Counts of job attempts this process ran, as .NET metrics (meter "SaliencySlider.ExplainerWorker") and as totals.</summary>
public sealed class WorkerMetrics : IDisposable
{
    public const string MeterName = "SaliencySlider.ExplainerWorker";
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private long _startedTotal;
    private long _completedTotal;
    private long _failedTotal;

    public WorkerMetrics()
    {
        _started = _meter.CreateCounter<long>("saliency.worker.jobs_started", description: "Job attempts started");
        _completed = _meter.CreateCounter<long>("saliency.worker.jobs_completed", description: "Jobs completed");
        _failed = _meter.CreateCounter<long>("saliency.worker.jobs_failed", description: "Jobs failed");
    }

    public long JobsStarted => Interlocked.Read(ref _startedTotal);
    public long JobsCompleted => Interlocked.Read(ref _completedTotal);
    public long JobsFailed => Interlocked.Read(ref _failedTotal);

    public void Started()
    {
        Interlocked.Increment(ref _startedTotal);
        _started.Add(1);
    }

    public void Completed()
    {
        Interlocked.Increment(ref _completedTotal);
        _completed.Add(1);
    }

    public void Failed()
    {
        Interlocked.Increment(ref _failedTotal);
        _failed.Add(1);
    }

    public void Dispose() => _meter.Dispose();
}
