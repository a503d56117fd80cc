using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SaliencySlider.LoadGen;

/// <summary>
/// redis-server, the gateway and the workers as child processes of this run, on loopback and free ports,
/// each with its log under the work folder; all killed when disposed.
/// </summary>
internal sealed class ServiceProcesses(LoadOptions options) : IAsyncDisposable
{
    private readonly List<(string Name, Process Process)> _children = [];

    public int RedisPort { get; private set; }
    public int GrpcPort { get; private set; }
    public int HttpPort { get; private set; }
    public int GatewayPid { get; private set; }
    public List<int> WorkerPids { get; } = [];

    public async Task StartRedisAndGatewayAsync()
    {
        Directory.CreateDirectory(options.WorkDirectory);
        RedisPort = FreePort();
        var redisDir = Path.Combine(options.WorkDirectory, "redis");
        Directory.CreateDirectory(redisDir);
        Start("redis", "redis-server", $"--port {RedisPort} --bind 127.0.0.1 --dir {redisDir} --appendonly yes --save '' --daemonize no", []);
        await WaitForPortAsync(RedisPort, "redis-server");

        GrpcPort = FreePort();
        HttpPort = FreePort();
        var gateway = Path.Combine(options.RepoRoot, "services/Gateway/bin/Release/net10.0/SaliencySlider.Gateway.dll");
        GatewayPid = Start("gateway", "dotnet", $"{gateway} --contentRoot {Path.Combine(options.RepoRoot, "services/Gateway")}", CommonEnvironment()
            .Append(("Gateway__GrpcPort", GrpcPort.ToString(CultureInfo.InvariantCulture)))
            .Append(("Gateway__HttpPort", HttpPort.ToString(CultureInfo.InvariantCulture)))
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
                throw new TimeoutException("the gateway did not become healthy");
            }
            // Bounded readiness poll of a process this run started.
            await Task.Delay(200);
        }
    }

    /// <summary>Starts a worker process; it is ready when it has loaded and warmed its model (its log says so).</summary>
    public async Task StartWorkerAsync(int intraOpThreads, int concurrency = 1, int batchJobs = 0)
    {
        var name = $"worker{WorkerPids.Count + 1}";
        var worker = Path.Combine(options.RepoRoot, "services/ExplainerWorker/Host/bin/Release/net10.0/SaliencySlider.ExplainerWorker.dll");
        var log = Path.Combine(options.WorkDirectory, name + ".log");
        var pid = Start(name, "dotnet", $"{worker} --contentRoot {Path.GetDirectoryName(worker)}", CommonEnvironment()
            .Append(("Worker__ConsumerName", name))
            .Append(("Worker__Concurrency", concurrency.ToString(CultureInfo.InvariantCulture)))
            .Append(("Worker__BatchJobs", batchJobs.ToString(CultureInfo.InvariantCulture)))
            .Append(("Worker__ExecutionProvider", "Cpu"))
            .Append(("Worker__IntraOpThreads", intraOpThreads.ToString(CultureInfo.InvariantCulture)))
            .Append(("Logging__LogLevel__Default", "Information")));
        WorkerPids.Add(pid);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!File.Exists(log) || !(await ReadSharedAsync(log)).Contains("consum", StringComparison.OrdinalIgnoreCase))
        {
            ThrowIfExited();
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"{name} did not start consuming (see {log})");
            }
            // Bounded readiness poll of a process this run started.
            await Task.Delay(200);
        }
    }

    /// <summary>CPU seconds (user + system) used so far by the workers and by everything this run started.</summary>
    public (double Workers, double All) CpuSeconds()
    {
        double workers = 0, all = 0;
        foreach (var (name, process) in _children)
        {
            if (process.HasExited)
            {
                continue;
            }
            // /proc/<pid>/stat: fields 14 and 15 (after the parenthesised command name) are utime and stime in clock ticks.
            var stat = File.ReadAllText($"/proc/{process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var seconds = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            all += seconds;
            if (name.StartsWith("worker", StringComparison.Ordinal))
            {
                workers += seconds;
            }
        }
        return (workers, all);
    }

    /// <summary>Peak resident set size (VmHWM) of a child process, in MiB.</summary>
    public static double PeakRssMiB(int pid)
    {
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
    }

    private IEnumerable<(string, string)> CommonEnvironment() =>
    [
        ("Redis__Configuration", $"127.0.0.1:{RedisPort}"),
        ("Models__Directory", options.ModelsDirectory),
        ("Models__ManifestDirectory", Path.Combine(options.RepoRoot, "models")),
        ("DOTNET_gcServer", "0"),
    ];

    private int Start(string name, string program, string arguments, IEnumerable<(string Key, string Value)> environment)
    {
        var log = Path.Combine(options.WorkDirectory, name + ".log");
        var info = new ProcessStartInfo("/bin/sh", ["-c", $"exec {program} {arguments} > '{log}' 2>&1"]) { UseShellExecute = false };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        _children.Add((name, process));
        return process.Id;
    }

    private void ThrowIfExited()
    {
        foreach (var (name, process) in _children)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode} (see {Path.Combine(options.WorkDirectory, name + ".log")})");
            }
        }
    }

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
                throw new TimeoutException($"{name} is not listening on {port}", e);
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
