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
using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Redis;
using StackExchange.Redis;

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
        builder.Configuration.AddShortEnvironmentAliases();
        configure?.Invoke(builder.Configuration);

        var configuration = builder.Configuration;
        var gatewayOptions = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        var jobOptions = configuration.GetSection(JobOptions.Section).Get<JobOptions>() ?? new JobOptions();
        var redisOptions = configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() ?? new RedisOptions();
        var queueOptions = configuration.GetSection(QueueOptions.Section).Get<QueueOptions>() ?? new QueueOptions();
        var trustedProxies = TrustedProxies.Parse(gatewayOptions.TrustedProxies);

        builder.Services.Configure<GatewayOptions>(configuration.GetSection(GatewayOptions.Section));
        builder.Services.Configure<JobOptions>(configuration.GetSection(JobOptions.Section));
        builder.Services.Configure<RedisOptions>(configuration.GetSection(RedisOptions.Section));
        builder.Services.Configure<QueueOptions>(configuration.GetSection(QueueOptions.Section));
        builder.Services.Configure<ModelsOptions>(configuration.GetSection(ModelsOptions.Section));
        builder.Services.Configure<AuthOptions>(configuration.GetSection(AuthOptions.Section));
        builder.Services.Configure<RateLimitOptions>(configuration.GetSection(RateLimitOptions.Section));
        builder.Services.Configure<StreamLimitOptions>(configuration.GetSection(StreamLimitOptions.Section));

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenAnyIP(gatewayOptions.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            // Cleartext HTTP/2 needs prior knowledge, which browsers never use: this port speaks HTTP/1.1
            // (gRPC-Web, static files, /healthz); native gRPC has its own port.
            kestrel.ListenAnyIP(gatewayOptions.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);
        });

        builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = RedisConnector.ParseConfiguration(redisOptions.Configuration);
            options.ClientName ??= "saliency-gateway";
            return ConnectionMultiplexer.Connect(options);
        });
        builder.Services.AddSingleton(new JobKeys(redisOptions.KeyPrefix, queueOptions));
        builder.Services.AddSingleton(services => new JobIdFactory(jobOptions.IdSecret, services.GetRequiredService<ILogger<JobIdFactory>>()));
        // One blocking read per queue shard serves every follower (JobActivityWatcher).
        builder.Services.AddSingleton(_ => new BlockingStreamReader(
            redisOptions.Configuration, Math.Max(1, queueOptions.Shards), queueOptions.BlockTime, "saliency-gateway-watch"));
        builder.Services.AddSingleton(TimeProvider.System);
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
        builder.Services.AddTrustedProxies(trustedProxies);
        builder.Services.AddSingleton<ApiKeyInterceptor>();
        builder.Services.AddSingleton<ClientIdentity>();
        builder.Services.AddSingleton<StreamAdmission>();
        builder.Services.AddSingleton<SubmitRateLimitInterceptor>();

        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = checked((int)(jobOptions.MaxImageBytes + UploadHeadroomBytes));
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
        ClusterLayoutCheck.ThrowIfUnsharded(app.Services.GetRequiredService<IConnectionMultiplexer>(), app.Services.GetRequiredService<JobKeys>());
        // Read the catalog now, so a bad model directory shows in the start-up log rather than on the first call.
        _ = app.Services.GetRequiredService<ServedModels>();

        if (trustedProxies.Count > 0)
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
