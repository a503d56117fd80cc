using SaliencySlider.ExplainerWorker.Models;
using SaliencySlider.ExplainerWorker.Processing;
using SaliencySlider.Shared.Health;
using SaliencySlider.Shared.Telemetry;

namespace SaliencySlider.ExplainerWorker.Telemetry;

/// <summary>Registration of the worker's tracing, metrics, health checks and HTTP listener.</summary>
public static class WorkerTelemetry
{
    public static void AddWorkerTelemetry(this HostApplicationBuilder builder)
    {
        builder.AddSaliencyTelemetry("saliency-worker", TelemetryNames.Worker, tracesAspNetCore: false);
        builder.Services.AddHealthChecks()
            .AddCheck<RedisReadinessCheck>(RedisReadinessCheck.Name, tags: [HealthTags.Ready])
            .AddCheck<ModelsReadinessCheck>("models", tags: [HealthTags.Ready]);
        builder.Services.AddSingleton<WorkerHttpEndpoints>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WorkerHttpEndpoints>());
        builder.Services.AddHostedService<StartupReport>();
    }

    /// <summary>After the models loaded: the execution provider gauge.</summary>
    public static void ReportLoadedModels(this IHost host)
        => host.Services.GetRequiredService<WorkerMetrics>().ExecutionProvider(host.Services.GetRequiredService<LoadedModels>().ExecutionProvider);
}
