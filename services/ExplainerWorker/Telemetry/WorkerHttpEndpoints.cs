using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using SaliencySlider.Shared.Health;
using SaliencySlider.Shared.Telemetry;

namespace SaliencySlider.ExplainerWorker.Telemetry;

/// <summary>
/// The worker's small HTTP listener on Worker:MetricsPort: /metrics (Prometheus scrape of the
/// worker's meter provider), /healthz (liveness: the process answers) and /readyz (readiness: Redis
/// answers and the models are loaded). A separate minimal Kestrel app; the worker itself stays a
/// generic host.
/// </summary>
public sealed partial class WorkerHttpEndpoints(
    IOptions<WorkerOptions> options,
    MeterProvider meterProvider,
    HealthCheckService healthChecks,
    ILogger<WorkerHttpEndpoints> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The bound port once started (useful with Worker:MetricsPort = 0).</summary>
    public int Port { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.ListenAnyIP(options.Value.MetricsPort));
        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint(TelemetrySetup.MetricsPath, meterProvider, configureBranchedPipeline: null, optionsName: null);
        app.MapGet(HealthTags.LivenessPath, () => Results.Text("Healthy"));
        app.MapGet(HealthTags.ReadinessPath, async (CancellationToken ct) =>
        {
            var report = await healthChecks.CheckHealthAsync(check => check.Tags.Contains(HealthTags.Ready), ct);
            return Results.Text(report.Status.ToString(), statusCode: report.Status == HealthStatus.Unhealthy
                ? StatusCodes.Status503ServiceUnavailable
                : StatusCodes.Status200OK);
        });
        await app.StartAsync(cancellationToken);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
        Port = port;
        Listening(logger, port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics and health on port {Port}: /metrics, /healthz, /readyz")]
    private static partial void Listening(ILogger logger, int port);
}
