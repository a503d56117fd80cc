using System.Diagnostics;

namespace SaliencySlider.Service.Tests.Infrastructure;

/// <summary>
/// A real worker process (the built SaliencySlider.ExplainerWorker.dll of the configuration this
/// test assembly was built with), configured through environment variables like a deployment.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private WorkerProcess(Process process, string consumerName)
    {
        _process = process;
        ConsumerName = consumerName;
    }

    /// <summary>Worker:ConsumerName; the queue consumer of its one slot is this name with "-0".</summary>
    public string ConsumerName { get; }

    public string SlotConsumer => ConsumerName + "-0";
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public static string WorkerDll
    {
        get
        {
            // tests/Service.Tests/bin/<Configuration>/<tfm>/: build the worker in the same configuration.
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = testOutput.Parent!.Name;
            var dll = Path.Combine(RepoPaths.Root, "services", "ExplainerWorker", "bin", configuration, testOutput.Name, "SaliencySlider.ExplainerWorker.dll");
            return File.Exists(dll)
                ? dll
                : throw new FileNotFoundException($"build the worker first: dotnet build services/ExplainerWorker -c {configuration}", dll);
        }
    }

    /// <summary>Starts the process and returns once its queue consumer reads the queue (its log says so).</summary>
    public static async Task<WorkerProcess> StartAsync(string consumerName, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { WorkerDll },
            WorkingDirectory = Path.GetDirectoryName(WorkerDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["Worker__ConsumerName"] = consumerName;
        // Several worker processes run at once: each takes a free port for /metrics and /healthz.
        start.Environment["Worker__MetricsPort"] = "0";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var worker = new WorkerProcess(process, consumerName);
        process.OutputDataReceived += (_, line) => worker.OnLine(line.Data);
        process.ErrorDataReceived += (_, line) => worker.OnLine(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(worker._reading.Task, exited).WaitAsync(TimeSpan.FromSeconds(60));
        if (first == exited)
        {
            throw new InvalidOperationException($"worker {consumerName} exited with {process.ExitCode} at start:\n{worker.Output}");
        }

        return worker;
    }

    /// <summary>SIGKILL: the process ends at once, whatever it was doing.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGTERM, as a container runtime sends on stop.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed with {kill.ExitCode}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (line.Contains("reading the queue", StringComparison.Ordinal))
        {
            _reading.TrySetResult();
        }
    }
}
