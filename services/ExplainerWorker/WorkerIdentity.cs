namespace SaliencySlider.ExplainerWorker;

public static class WorkerIdentity
{
    private static readonly string ProcessSuffix = Guid.NewGuid().ToString("N")[..6];

    /// <summary>Worker:ConsumerName, or host name, process id and a random suffix (unique per process).</summary>
    public static string ConsumerBaseName(WorkerOptions options) => string.IsNullOrWhiteSpace(options.ConsumerName)
        ? $"{Environment.MachineName}-{Environment.ProcessId}-{ProcessSuffix}"
        : options.ConsumerName;
}
