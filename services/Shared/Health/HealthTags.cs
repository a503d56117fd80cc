namespace SaliencySlider.Shared.Health;

/// <summary>
/// Readiness: the checks that must pass before a process should get work (Redis reachable, models
/// loaded). Liveness has one check that always passes (see LivenessCheck): it only asks whether the process still answers, so a Redis outage
/// makes a service unready but never gets it restarted.
/// </summary>
public static class HealthTags
{
    public const string Ready = "ready";
    public const string Live = "live";
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";
}
