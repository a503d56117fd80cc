using Microsoft.Extensions.Options;
using SaliencySlider.ExplainerWorker.Models;
using SaliencySlider.ExplainerWorker.Processing;
using SaliencySlider.ExplainerWorker.Queue;
using SaliencySlider.ExplainerWorker.Telemetry;
using SaliencySlider.Shared.Hosting;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.ExplainerWorker;

/// <summary>The worker host: models loaded once, Worker:Concurrency queue consumers, a heartbeat.</summary>
public static class WorkerApplication
{
    /// <param name="configure">Adds configuration after the defaults (tests use it to override settings).</param>
    public static IHost Build(string[] args, Action<IConfigurationBuilder>? configure = null)
    {
        var startup = new StartupTimeline();
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddSaliencyServiceDefaults("saliency-worker", configure);
        builder.AddSaliencyOptions<WorkerOptions>(WorkerOptions.Section);
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((host, worker) => host.ShutdownTimeout = worker.Value.ShutdownTimeout);

        // One blocking read per slot on a single shard; one per shard (QueueArrivals) on several.
        builder.Services.AddBlockingStreamReader("saliency-worker-queue", services =>
        {
            var keys = services.GetRequiredService<JobKeys>();
            return keys.Shards == 1 ? services.GetRequiredService<IOptions<WorkerOptions>>().Value.Concurrency : keys.Shards;
        });
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
        host.Services.CheckSaliencyStartup();
        startup.Mark("redis");
        // Load the models now: a worker that cannot load them should fail at start, not on its first job.
        _ = host.Services.GetRequiredService<LoadedModels>();
        startup.Mark("models");
        host.ReportLoadedModels();
        return host;
    }
}
