using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace SaliencySlider.Shared.Telemetry;

/// <summary>
/// OpenTelemetry for one service: metrics always (scraped by Prometheus at /metrics); traces, and a
/// push of the metrics, only when OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads the other
/// standard OTEL_* variables itself). Without an endpoint no tracer is registered, so the services'
/// activity sources have no listener and starting a span costs a null check.
/// </summary>
public static class TelemetrySetup
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string MetricsPath = "/metrics";

    public static bool IsOtlpEnabled(IConfiguration configuration)
        => !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);

    /// <param name="serviceName">service.name of the resource (OTEL_SERVICE_NAME overrides it).</param>
    /// <param name="sourceAndMeter">The service's activity source and meter name.</param>
    /// <param name="tracesAspNetCore">Also trace incoming HTTP/gRPC requests (the gateway).</param>
    public static void AddSaliencyTelemetry(this IHostApplicationBuilder builder, string serviceName, string sourceAndMeter, bool tracesAspNetCore)
    {
        var otlp = IsOtlpEnabled(builder.Configuration);
        // Log scopes carry the job id, and the trace and span ids of the current activity.
        builder.Services.Configure<JsonConsoleFormatterOptions>(json => json.IncludeScopes = true);
        builder.Logging.Configure(logging => logging.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(sourceAndMeter).AddRuntimeInstrumentation();
                if (tracesAspNetCore)
                {
                    metrics.AddAspNetCoreInstrumentation();
                }

                // A scrape always shows the current values (the default caches a response briefly).
                metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(sourceAndMeter);
                if (tracesAspNetCore)
                {
                    tracing.AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter =
                        http => !http.Request.Path.StartsWithSegments(MetricsPath) && !http.Request.Path.StartsWithSegments("/healthz"));
                }

                tracing.AddOtlpExporter();
            });
        }
    }
}
