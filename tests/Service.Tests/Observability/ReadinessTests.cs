using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SaliencySlider.Gateway;
using SaliencySlider.Service.Tests.Infrastructure;
using StackExchange.Redis;

namespace SaliencySlider.Service.Tests.Observability;

/// <summary>
/// The gateway's readiness follows Redis (its own redis-server, stopped and started again) while its
/// liveness does not.
/// </summary>
public sealed class ReadinessTests : IAsyncLifetime
{
    private readonly string _redisDirectory = Directory.CreateTempSubdirectory("saliency-readiness-").FullName;
    private readonly int _redisPort = FreePort();
    private Process? _redis;
    private WebApplication? _gateway;

    public async Task InitializeAsync()
    {
        _redis = await StartRedisAsync();
        _gateway = GatewayApplication.Build([], configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = $"127.0.0.1:{_redisPort}",
            ["Redis:KeyPrefix"] = "readiness",
            ["Queue:Stream"] = "readiness:jobs",
            ["Queue:BlockTime"] = "00:00:01",
            ["Models:Directory"] = RepoPaths.ModelDirectory,
            ["Models:ManifestDirectory"] = RepoPaths.ManifestDirectory,
            ["Gateway:GrpcPort"] = "0",
            ["Gateway:HttpPort"] = "0",
        }));
        await _gateway.StartAsync();
    }

    [Fact]
    public async Task Readiness_is_not_serving_while_redis_is_down_and_liveness_stays_serving()
    {
        var addresses = _gateway!.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a).Port).ToArray();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{addresses[0]}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{addresses[1]}") };
        var health = new Health.HealthClient(channel);
        var multiplexer = _gateway.Services.GetRequiredService<IConnectionMultiplexer>();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await StatusAsync(health, ""));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

        var lost = ConnectionEvent(multiplexer, restored: false);
        _redis!.Kill();
        await _redis.WaitForExitAsync();
        await lost.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await StatusAsync(health, ""));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await StatusAsync(health, "saliency.v1.SaliencySliderService"));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await StatusAsync(health, "liveness"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);

        var restored = ConnectionEvent(multiplexer, restored: true);
        _redis = await StartRedisAsync();
        await restored.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await StatusAsync(health, ""));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.StopAsync();
            await _gateway.DisposeAsync();
        }

        if (_redis is { HasExited: false })
        {
            _redis.Kill();
            await _redis.WaitForExitAsync();
        }

        _redis?.Dispose();
        Directory.Delete(_redisDirectory, recursive: true);
    }

    private static async Task<HealthCheckResponse.Types.ServingStatus> StatusAsync(Health.HealthClient health, string service)
        => (await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(10))).Status;

    /// <summary>Completes when the interactive connection to Redis is lost (or restored).</summary>
    private static Task ConnectionEvent(IConnectionMultiplexer multiplexer, bool restored)
    {
        var happened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnEvent(object? sender, ConnectionFailedEventArgs e)
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                happened.TrySetResult();
            }
        }

        if (restored)
        {
            multiplexer.ConnectionRestored += OnEvent;
        }
        else
        {
            multiplexer.ConnectionFailed += OnEvent;
        }

        return happened.Task;
    }

    /// <summary>A redis-server on this test's port; returns once it accepts connections (its own log line says so).</summary>
    private async Task<Process> StartRedisAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", _redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _redisDirectory, "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"redis-server exited with {process.ExitCode}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
