using Microsoft.Extensions.Diagnostics.HealthChecks;
using SaliencySlider.ExplainerWorker.Models;

namespace SaliencySlider.ExplainerWorker.Telemetry;

/// <summary>
/// Ready once the models are loaded. A worker whose models fail to load stops during start-up, so it
/// never reports ready; this check keeps the probe honest should loading ever become lazy.
/// </summary>
public sealed class ModelsReadinessCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var models = services.GetService<LoadedModels>();
        return Task.FromResult(models is null
            ? HealthCheckResult.Unhealthy("models not loaded")
            : HealthCheckResult.Healthy($"models loaded on {models.ExecutionProvider}"));
    }
}
