using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SaliencySlider.Service.Tests.Infrastructure;

/// <summary>
/// A redis-server process of one test's own (on a free port, append-only file with fsync on every
/// write, in a temporary folder), so the test can kill it and start it again on the same data.
/// </summary>
/// <param name="settings">Further redis-server arguments, e.g. "--maxmemory", "4mb".</param>
public sealed class OwnRedisServer(params string[] settings) : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("saliency-redis-").FullName;
    private Process? _process;

    public int Port { get; private set; } = FreePort();
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>
    /// Starts the server. A port picked free can be taken by another test's process before redis-server binds it;
    /// the server then exits at once ("Address already in use"), and it is started again on fresh ports.
    /// </summary>
    public async Task StartAsync()
    {
        const int Attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var (started, output) = await TryStartAsync();
            if (started)
            {
                return;
            }

            if (attempt == Attempts || !output.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"redis-server on port {Port} exited before it was ready:\n{output}");
            }

            Port = FreePort();
            var clusterPort = Array.IndexOf(settings, "--cluster-port");
            if (clusterPort >= 0)
            {
                settings[clusterPort + 1] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    private async Task<(bool Started, string Output)> TryStartAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList =
            {
                "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                "--dir", _directory, "--appendonly", "yes", "--appendfsync", "always", "--save", "",
            },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server (is it on PATH?)");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                // End of output: the server exited.
                ready.TrySetResult(false);
                return;
            }

            output.Enqueue(line.Data);
            if (line.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult(true);
            }
        };
        process.BeginOutputReadLine();
        var started = await ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
        if (!started)
        {
            await process.WaitForExitAsync();
            process.Dispose();
            return (false, string.Join('\n', output));
        }

        _process = process;
        return (true, "");
    }

    /// <summary>SIGKILL: no shutdown save; only what the append-only file holds survives.</summary>
    public async Task KillAsync()
    {
        _process!.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await KillAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
