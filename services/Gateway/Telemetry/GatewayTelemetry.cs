using SaliencySlider.Shared.Telemetry;

namespace SaliencySlider.Gateway.Telemetry;

/// <summary>Registration of the gateway's tracing and metrics; /metrics on both of its ports.</summary>
public static class GatewayTelemetry
{
    public static void AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        builder.AddSaliencyTelemetry("saliency-gateway", TelemetryNames.Gateway, tracesAspNetCore: true);
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<GatewayTracing>();
        builder.Services.AddSingleton<QueueMetrics>();
    }

    public static void MapGatewayTelemetry(this WebApplication app)
    {
        // The queue gauges exist once this is built.
        _ = app.Services.GetRequiredService<QueueMetrics>();
        app.MapPrometheusScrapingEndpoint(TelemetrySetup.MetricsPath);
    }
}
