using System.Diagnostics;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.ExplainerWorker.Telemetry;

/// <summary>
/// Where a worker's start-up went, measured from the process's start (the runtime's own start included), logged
/// once every hosted service has started, i.e. when /readyz can first answer 200:
/// "Ready 2140 ms after the process started: runtime 310 ms, host 90 ms, …".
/// </summary>
public sealed class StartupTimeline
{
    private readonly Lock _lock = new();
    private readonly LoadSteps _steps;

    /// <summary>Created first thing in the host's Build: the stage before it is the runtime's start.</summary>
    public StartupTimeline()
    {
        using var process = Process.GetCurrentProcess();
        _steps = new LoadSteps("runtime", DateTime.UtcNow - process.StartTime.ToUniversalTime());
    }

    /// <summary>Ends <paramref name="stage"/>: it lasted from the previous mark until now.</summary>
    public void Mark(string stage)
    {
        lock (_lock)
        {
            _steps.Lap(stage);
        }
    }

    public double ElapsedMs => _steps.TotalMs;

    public string Describe()
    {
        lock (_lock)
        {
            return _steps.ToString();
        }
    }
}

/// <summary>Logs the start-up timeline once the host has started every hosted service.</summary>
public sealed class StartupReport(StartupTimeline timeline, ILogger<StartupReport> logger) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        timeline.Mark("services");
        var stages = timeline.Describe();
        WorkerLog.Ready(logger, timeline.ElapsedMs, stages);
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
