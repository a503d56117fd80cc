using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using SaliencySlider.Gateway.Grpc;
using SaliencySlider.Shared.Health;

namespace SaliencySlider.Gateway.Health;

/// <summary>
/// Readiness (Redis answers): the grpc.health.v1 service "" and "saliency.v1.SaliencySliderService", and
/// HTTP /readyz. Liveness (the process answers; no dependency is checked, so a Redis outage never
/// restarts the gateway): the grpc.health.v1 service "liveness", and HTTP /healthz.
/// </summary>
public static class GatewayHealth
{
    public const string LivenessService = "liveness";
    public static string SaliencyService => ContractMethods.ServiceName;

    public static void AddGatewayHealthChecks(this IServiceCollection services)
    {
        services.AddGrpcHealthChecks(grpc =>
            {
                grpc.Services.Map("", check => check.Tags.Contains(HealthTags.Ready));
                grpc.Services.Map(SaliencyService, check => check.Tags.Contains(HealthTags.Ready));
                grpc.Services.Map(LivenessService, check => check.Tags.Contains(HealthTags.Live));
            })
            .AddCheck<RedisReadinessCheck>(RedisReadinessCheck.Name, tags: [HealthTags.Ready])
            .AddCheck<LivenessCheck>(LivenessCheck.Name, tags: [HealthTags.Live]);
    }

    public static void MapGatewayHealth(this WebApplication app)
    {
        app.MapHealthChecks(HealthTags.LivenessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Live) });
        app.MapHealthChecks(HealthTags.ReadinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Ready) });
    }
}
