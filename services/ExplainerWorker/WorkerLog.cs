using SaliencySlider.Contracts.V1;

namespace SaliencySlider.ExplainerWorker;

/// <summary>The worker's information-level log messages (source-generated, no cost when disabled).</summary>
internal static partial class WorkerLog
{
    // bench/LoadGen's cold start reads this line.
    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {Model} on {Provider} in {LoadMs:0} ms (warm-up {WarmUpMs:0} ms): {Stages}")]
    public static partial void ModelLoaded(ILogger logger, string model, string provider, double loadMs, double warmUpMs, string stages);

    // bench/LoadGen's cold start reads this line too.
    [LoggerMessage(Level = LogLevel.Information, Message = "Ready {ReadyMs:0} ms after the process started: {Stages}")]
    public static partial void Ready(ILogger logger, double readyMs, string stages);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} is already {State}; skipping a repeated delivery")]
    public static partial void RepeatedDelivery(ILogger logger, string jobId, JobState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: attempt {Attempt} started")]
    public static partial void AttemptStarted(ILogger logger, string jobId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: done in {TotalMs:0} ms")]
    public static partial void JobDone(ILogger logger, string jobId, double totalMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer {Consumer} reading the queue")]
    public static partial void ConsumerStarted(ILogger logger, string consumer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer {Consumer} stopped")]
    public static partial void ConsumerStopped(ILogger logger, string consumer);
}
