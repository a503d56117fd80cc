using SaliencySlider.ExplainerWorker.Models;
using SaliencySlider.ExplainerWorker.Processing;
using SaliencySlider.ExplainerWorker.Queue;
using SaliencySlider.ExplainerWorker.Telemetry;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Redis;
using StackExchange.Redis;

namespace SaliencySlider.ExplainerWorker;

/// <summary>The worker host: models loaded once, Worker:Concurrency queue consumers, a heartbeat.</summary>
public static class WorkerApplication
{
    /// <param name="configure">Adds configuration after the defaults (tests use it to override settings).</param>
    public static IHost Build(string[] args, Action<IConfigurationBuilder>? configure = null)
    {
        var startup = new StartupTimeline();
        var builder = Host.CreateApplicationBuilder(args);
        builder.Configuration.AddShortEnvironmentAliases();
        configure?.Invoke(builder.Configuration);

        var configuration = builder.Configuration;
        var workerOptions = configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions();
        var redisOptions = configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() ?? new RedisOptions();
        var queueOptions = configuration.GetSection(QueueOptions.Section).Get<QueueOptions>() ?? new QueueOptions();

        builder.Services.Configure<WorkerOptions>(configuration.GetSection(WorkerOptions.Section));
        builder.Services.Configure<JobOptions>(configuration.GetSection(JobOptions.Section));
        builder.Services.Configure<RedisOptions>(configuration.GetSection(RedisOptions.Section));
        builder.Services.Configure<QueueOptions>(configuration.GetSection(QueueOptions.Section));
        builder.Services.Configure<ModelsOptions>(configuration.GetSection(ModelsOptions.Section));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = workerOptions.ShutdownTimeout);

        builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = RedisConnector.ParseConfiguration(redisOptions.Configuration);
            options.ClientName ??= "saliency-worker";
            return ConnectionMultiplexer.Connect(options);
        });
        builder.Services.AddSingleton(new JobKeys(redisOptions.KeyPrefix, queueOptions));
        // One blocking read per slot on a single shard; one per shard (QueueArrivals) on several.
        builder.Services.AddSingleton(_ => new BlockingStreamReader(
            redisOptions.Configuration, queueOptions.Shards == 1 ? Math.Max(1, workerOptions.Concurrency) : queueOptions.Shards,
            queueOptions.BlockTime, "saliency-worker-queue"));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(startup);
        builder.Services.AddSingleton<LoadedModels>();
        builder.Services.AddSingleton<WorkerMetrics>();
        builder.Services.AddSingleton<AttemptStarter>();
        builder.Services.AddSingleton<JobProcessor>();
        builder.Services.AddSingleton<QueueArrivals>();
        builder.Services.AddHostedService(services => services.GetRequiredService<QueueArrivals>());
        builder.Services.AddSingleton<JobQueue>();
        builder.Services.AddHostedService<LayerShapesPublisher>();
        builder.Services.AddHostedService<JobQueueConsumer>();
        builder.Services.AddHostedService<HeartbeatPublisher>();
        builder.AddWorkerTelemetry();

        var host = builder.Build();
        startup.Mark("host");
        ClusterLayoutCheck.ThrowIfUnsharded(host.Services.GetRequiredService<IConnectionMultiplexer>(), host.Services.GetRequiredService<JobKeys>());
        startup.Mark("redis");
        // Load the models now: a worker that cannot load them should fail at start, not on its first job.
        _ = host.Services.GetRequiredService<LoadedModels>();
        startup.Mark("models");
        host.ReportLoadedModels();
        return host;
    }
}
