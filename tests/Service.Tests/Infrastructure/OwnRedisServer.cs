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

    public int Port { get; } = FreePort();
    public string Configuration => $"127.0.0.1:{Port}";

    public async Task StartAsync()
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

        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server (is it on PATH?)");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        _process.BeginOutputReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
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
