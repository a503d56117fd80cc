using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Web;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using SaliencySlider.Gateway.Examples;
using SaliencySlider.Gateway.Grpc;
using SaliencySlider.Gateway.Health;
using SaliencySlider.Gateway.Jobs;
using SaliencySlider.Gateway.Models;
using SaliencySlider.Gateway.Rest;
using SaliencySlider.Gateway.Security;
using SaliencySlider.Gateway.Submission;
using SaliencySlider.Gateway.Telemetry;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Hosting;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Gateway;

/// <summary>
/// The gateway: native gRPC on Gateway:GrpcPort (HTTP/2 cleartext); gRPC-Web, REST/JSON (/v1/..., /openapi.json),
/// the demo page and /healthz on Gateway:HttpPort (HTTP/1.1).
/// </summary>
public static class GatewayApplication
{
    public const string GrpcWebCorsPolicy = "grpc-web";
    private const int UploadHeadroomBytes = 1024 * 1024;

    /// <param name="configure">Adds configuration after the defaults (tests use it to override settings).</param>
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddSaliencyServiceDefaults("saliency-gateway", configure);
        builder.AddSaliencyOptions<GatewayOptions>(GatewayOptions.Section);
        builder.AddSaliencyOptions<AuthOptions>(AuthOptions.Section);
        builder.AddSaliencyOptions<RateLimitOptions>(RateLimitOptions.Section);
        builder.AddSaliencyOptions<StreamLimitOptions>(StreamLimitOptions.Section);

        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<GatewayOptions>>((kestrel, gateway) =>
        {
            kestrel.ListenAnyIP(gateway.Value.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            // Cleartext HTTP/2 needs prior knowledge, which browsers never use: this port speaks HTTP/1.1
            // (gRPC-Web, static files, /healthz); native gRPC has its own port.
            kestrel.ListenAnyIP(gateway.Value.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);
        });

        builder.Services.AddSingleton(services => new JobIdFactory(
            services.GetRequiredService<IOptions<JobOptions>>().Value.IdSecret, services.GetRequiredService<ILogger<JobIdFactory>>()));
        // One blocking read per queue shard serves every follower (JobActivityWatcher).
        builder.Services.AddBlockingStreamReader("saliency-gateway-watch", services => services.GetRequiredService<JobKeys>().Shards);
        builder.Services.AddSingleton<ServedModels>();
        builder.Services.AddSingleton<WorkerDirectory>();
        builder.Services.AddSingleton<PublishedLayerShapes>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PublishedLayerShapes>());
        builder.Services.AddSingleton<ExamplePhotos>();
        builder.Services.AddSingleton<DecodeBudget>();
        builder.Services.AddSingleton<SubmissionValidator>();
        builder.Services.AddSingleton<ReplicaAcknowledgement>();
        builder.Services.AddSingleton<JobEnqueuer>();
        builder.Services.AddSingleton<JobRecordReader>();
        builder.Services.AddSingleton<JobActivityWatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<JobActivityWatcher>());
        builder.Services.AddSingleton<JobEventFollower>();
        builder.Services.AddHostedService<QueueInitializer>();
        builder.AddGatewayTelemetry();
        builder.Services.AddTrustedProxies();
        builder.Services.AddSingleton<ApiKeyInterceptor>();
        builder.Services.AddSingleton<ClientIdentity>();
        builder.Services.AddSingleton<StreamAdmission>();
        builder.Services.AddSingleton<SubmitRateLimitInterceptor>();

        builder.Services.AddOptions<GrpcServiceOptions>().Configure<IOptions<JobOptions>>(
            (grpc, jobs) => grpc.MaxReceiveMessageSize = checked((int)(jobs.Value.MaxImageBytes + UploadHeadroomBytes)));
        builder.Services.AddGrpc(grpc =>
        {
            // Telemetry outermost, so refusals by the access interceptors are traced and counted by status.
            grpc.Interceptors.Add<TelemetryInterceptor>();
            grpc.Interceptors.Add<RetryAfterHeaderInterceptor>();
            grpc.Interceptors.Add<ApiKeyInterceptor>();
            grpc.Interceptors.Add<SubmitRateLimitInterceptor>();
            grpc.Interceptors.Add<RedisFailureInterceptor>();
        }).AddRestApi();
        builder.Services.AddGrpcReflection();
        builder.Services.AddGatewayHealthChecks();
        builder.Services.AddCors(cors => cors.AddPolicy(GrpcWebCorsPolicy, policy => policy
            .AllowAnyOrigin()
            .AllowAnyMethod()
            .AllowAnyHeader()
            .WithExposedHeaders("Grpc-Status", "Grpc-Message", "Grpc-Encoding", "Grpc-Accept-Encoding", "Retry-After")));

        var app = builder.Build();
        app.Services.CheckSaliencyStartup();
        // Read the catalog now, so a bad model directory shows in the start-up log rather than on the first call.
        _ = app.Services.GetRequiredService<ServedModels>();

        if (TrustedProxies.Parse(app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.TrustedProxies).Count > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseCors();
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });

        app.MapGrpcService<SaliencyGrpcService>().RequireCors(GrpcWebCorsPolicy);
        app.MapGrpcHealthChecksService().RequireCors(GrpcWebCorsPolicy);
        app.MapGrpcReflectionService();
        app.MapGatewayHealth();
        app.MapGatewayTelemetry();
        app.MapExamples();
        app.MapRestApi();
        app.MapFallbackToFile("index.html");
        return app;
    }
}
