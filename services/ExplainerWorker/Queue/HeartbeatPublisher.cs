using Microsoft.Extensions.Options;
using SaliencySlider.ExplainerWorker.Models;
using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.ExplainerWorker.Queue;

/// <summary>Publishes this worker's execution provider in the workers hash every few seconds, so ListModels can report it.</summary>
public sealed class HeartbeatPublisher(
    IConnectionMultiplexer redis,
    JobKeys keys,
    LoadedModels models,
    IOptions<WorkerOptions> workerOptions,
    TimeProvider clock,
    ILogger<HeartbeatPublisher> logger) : BackgroundService
{
    private readonly string _name = WorkerIdentity.ConsumerBaseName(workerOptions.Value);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(WorkerHeartbeat.Interval, clock);
        do
        {
            try
            {
                var heartbeat = new WorkerHeartbeat(models.ExecutionProvider, clock.GetUtcNow());
                var database = redis.GetDatabase();
                await database.HashSetAsync(keys.Workers, _name, heartbeat.Encode());
                await database.KeyExpireAsync(keys.Workers, WorkerHeartbeat.Expiry * 2);
            }
            catch (RedisException e)
            {
                logger.LogWarning(e, "Could not publish the worker heartbeat");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await redis.GetDatabase().HashDeleteAsync(keys.Workers, _name);
        }
        catch (RedisException e)
        {
            logger.LogDebug(e, "Could not remove the worker heartbeat");
        }
    }
}
