using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SaliencySlider.Shared.Health;

/// <summary>Healthy whenever it runs: answering at all is what liveness asks (a hung process does not answer).</summary>
public sealed class LivenessCheck : IHealthCheck
{
    public const string Name = "process";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(HealthCheckResult.Healthy("answering"));
}
