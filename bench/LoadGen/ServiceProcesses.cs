using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace SaliencySlider.LoadGen;

/// <summary>A worker process this run started, and how long it took from its start to answering /readyz.</summary>
internal sealed record WorkerStart(string Name, string Log, double ReadyMs);

/// <summary>
/// redis-server, the gateway and the workers as child processes of this run, on loopback and free ports,
/// each with its log under the work folder; all killed when disposed. A child that exits on its own fails the run.
/// </summary>
internal sealed partial class ServiceProcesses(LoadOptions options) : IAsyncDisposable
{
    // Across the run's service sets, so that every worker has a log of its own.
    private static int s_workersStarted;
    private readonly List<(string Name, Process Process)> _children = [];

    public int RedisPort { get; private set; }
    public int GrpcPort { get; private set; }
    public int HttpPort { get; private set; }

    /// <summary>The bench's own connection, for INFO and MEMORY USAGE (allowAdmin).</summary>
    public ConnectionMultiplexer? Redis { get; private set; }

    public IEnumerable<string> WorkerNames => _children.Select(c => c.Name).Where(IsWorker);

    /// <summary>Whether a child process's name is a worker's (workers are started as worker1, worker2, …).</summary>
    public static bool IsWorker(string name) => name.StartsWith("worker", StringComparison.Ordinal);

    /// <summary>
    /// The gateway's per-client limits, lifted for the bench: it is one client (one address) submitting and streaming
    /// far more than the defaults (RateLimit:SubmitsPerMinute 60, Streams:MaxPerClient 32) let one client do.
    /// </summary>
    public IReadOnlyList<(string Key, string Value)> GatewayLimits =>
    [
        ("RateLimit:SubmitsPerMinute", "0"),
        ("Streams:MaxPerClient", (options.Streamers + options.Clients).ToString(CultureInfo.InvariantCulture)),
        ("Streams:MaxTotal", Math.Max(2000, options.Streamers + options.Clients).ToString(CultureInfo.InvariantCulture)),
    ];

    public async Task StartRedisAndGatewayAsync()
    {
        Directory.CreateDirectory(options.WorkDirectory);
        RedisPort = FreePort();
        var redisDir = Path.Combine(options.WorkDirectory, "redis");
        // From nothing: an append-only file left by an earlier run would be loaded first (seconds for a gigabyte, during
        // which Redis answers LOADING) and counted in its memory.
        if (Directory.Exists(redisDir))
        {
            Directory.Delete(redisDir, recursive: true);
        }
        Directory.CreateDirectory(redisDir);
        Start("redis", "redis-server", $"--port {RedisPort} --bind 127.0.0.1 --dir {redisDir} --appendonly yes --save '' --daemonize no", []);
        await WaitForPortAsync(RedisPort, "redis-server");
        Redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{RedisPort},allowAdmin=true");

        GrpcPort = FreePort();
        HttpPort = FreePort();
        var gateway = Path.Combine(options.RepoRoot, "services/Gateway/bin/Release/net10.0/SaliencySlider.Gateway.dll");
        Start("gateway", "dotnet", $"{gateway} --contentRoot {Path.Combine(options.RepoRoot, "services/Gateway")}", CommonEnvironment()
            .Append(("Gateway__GrpcPort", GrpcPort.ToString(CultureInfo.InvariantCulture)))
            .Append(("Gateway__HttpPort", HttpPort.ToString(CultureInfo.InvariantCulture)))
            .Concat(GatewayLimits.Select(limit => (limit.Key.Replace(":", "__", StringComparison.Ordinal), limit.Value)))
            .Append(("Logging__LogLevel__Default", "Warning")));
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            try
            {
                if ((await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/healthz"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            ThrowIfExited();
            if (DateTime.UtcNow >= deadline)
            {
                throw new BenchmarkFailedException("the gateway did not become healthy within 2 minutes (see its log in " + options.WorkDirectory + ")");
            }
            // Bounded readiness poll of a process this run started.
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Starts a worker process (its metrics listener on a free port) and waits until its /readyz answers 200: it has
    /// loaded and warmed every served model and reaches Redis.
    /// </summary>
    public async Task<WorkerStart> StartWorkerAsync(int intraOpThreads)
    {
        var name = $"worker{Interlocked.Increment(ref s_workersStarted)}";
        var worker = Path.Combine(options.RepoRoot, "services/ExplainerWorker/bin/Release/net10.0/SaliencySlider.ExplainerWorker.dll");
        var log = Path.Combine(options.WorkDirectory, name + ".log");
        var clock = Stopwatch.StartNew();
        Start(name, "dotnet", $"{worker} --contentRoot {Path.GetDirectoryName(worker)}", CommonEnvironment()
            .Append(("Worker__ConsumerName", name))
            .Append(("Worker__Concurrency", "1"))
            .Append(("Worker__ExecutionProvider", "Cpu"))
            .Append(("Worker__IntraOpThreads", intraOpThreads.ToString(CultureInfo.InvariantCulture)))
            .Append(("Worker__MetricsPort", "0"))
            .Append(("Logging__LogLevel__Default", "Information")));
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        int? port = null;
        while (true)
        {
            ThrowIfExited();
            if (DateTime.UtcNow >= deadline)
            {
                throw new BenchmarkFailedException($"{name} did not become ready within 3 minutes (see {log})");
            }
            port ??= File.Exists(log) && ListeningOn().Match(await ReadSharedAsync(log)) is { Success: true } m
                ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
                : null;
            if (port is { } p && await IsReadyAsync(http, p))
            {
                return new WorkerStart(name, log, clock.Elapsed.TotalMilliseconds);
            }
            // Bounded readiness poll of a process this run started (short, since start-up time is measured).
            await Task.Delay(20);
        }
    }

    /// <summary>Stops a worker this run started (it no longer counts as a child that must stay alive).</summary>
    public async Task StopWorkerAsync(string name)
    {
        var child = _children.Single(c => c.Name == name);
        ThrowIfExited();
        _children.Remove(child);
        child.Process.Kill(entireProcessTree: true);
        await child.Process.WaitForExitAsync();
        child.Process.Dispose();
    }

    /// <summary>CPU seconds (user + system) used so far by the workers and by everything this run started.</summary>
    public (double Workers, double All) CpuSeconds() => (CpuSecondsOf(IsWorker), CpuSecondsOf(_ => true));

    /// <summary>CPU seconds (user + system) used so far by the processes this run started whose names match.</summary>
    public double CpuSecondsOf(Func<string, bool> named)
    {
        ThrowIfExited();
        double seconds = 0;
        foreach (var (name, process) in _children.Where(c => named(c.Name)))
        {
            // /proc/<pid>/stat: fields 14 and 15 (after the parenthesised command name) are utime and stime in clock ticks.
            var stat = File.ReadAllText($"/proc/{process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            seconds += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        return seconds;
    }

    /// <summary>Peak resident set size (VmHWM) of a running child process, in MiB.</summary>
    public double PeakRssMiB(string name)
    {
        ThrowIfExited();
        var pid = _children.Single(c => c.Name == name).Process.Id;
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _children.Count - 1; i >= 0; i--)
        {
            var (_, process) = _children[i];
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }

    private IEnumerable<(string, string)> CommonEnvironment() =>
    [
        ("Redis__Configuration", $"127.0.0.1:{RedisPort}"),
        ("Models__Directory", options.ModelsDirectory),
        ("Models__ManifestDirectory", Path.Combine(options.RepoRoot, "models")),
        ("DOTNET_gcServer", "0"),
    ];

    private void Start(string name, string program, string arguments, IEnumerable<(string Key, string Value)> environment)
    {
        var log = Path.Combine(options.WorkDirectory, name + ".log");
        // A previous run's log must not be read as this process's (its port, its readiness).
        File.Delete(log);
        var info = new ProcessStartInfo("/bin/sh", ["-c", $"exec {program} {arguments} > '{log}' 2>&1"]) { UseShellExecute = false };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        _children.Add((name, process));
    }

    /// <summary>A child that exited on its own makes every later figure meaningless: the run fails, naming it.</summary>
    public void ThrowIfExited()
    {
        foreach (var (name, process) in _children)
        {
            if (process.HasExited)
            {
                var log = Path.Combine(options.WorkDirectory, name + ".log");
                var tail = File.Exists(log) ? string.Join("\n  ", File.ReadLines(log).TakeLast(5)) : "";
                throw new BenchmarkFailedException($"{name} exited with {process.ExitCode} (see {log}):\n  {tail}");
            }
        }
    }

    private static async Task<bool> IsReadyAsync(HttpClient http, int port)
    {
        try
        {
            return (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"))).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"Metrics and health on port (\d+)")]
    private static partial Regex ListeningOn();

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private async Task WaitForPortAsync(int port, string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                ThrowIfExited();
                // Bounded readiness poll of a process this run started.
                await Task.Delay(100);
            }
            catch (SocketException e)
            {
                throw new BenchmarkFailedException($"{name} is not listening on {port}: {e.Message}");
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
