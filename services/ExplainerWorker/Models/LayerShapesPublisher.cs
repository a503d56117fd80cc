using SaliencySlider.Engine.Models;
using SaliencySlider.Shared.Jobs;
using SaliencySlider.ExplainerWorker.Telemetry;
using StackExchange.Redis;

namespace SaliencySlider.ExplainerWorker.Models;

/// <summary>
/// Publishes the target-layer shapes of every loaded model (<see cref="LayerShapes"/>) once, before the queue is
/// consumed, so gateways refuse layers that are no grid at Submit. Best effort: without them the gateway checks
/// the graph's structure only and this worker refuses such a job when it runs it.
/// </summary>
public sealed class LayerShapesPublisher(IConnectionMultiplexer redis, JobKeys keys, LoadedModels models, StartupTimeline startup, ILogger<LayerShapesPublisher> logger) : IHostedService
{
    /// <summary>Renewed at every worker start; shapes of a model file no worker has loaded for this long expire.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromDays(30);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var model in models.All)
        {
            try
            {
                var key = keys.ModelLayers(model.Classifier.Sha256);
                await redis.GetDatabase().StringSetAsync(key, LayerShapes.Of(model).Encode(), Expiry);
            }
            catch (RedisException e)
            {
                logger.LogWarning(e, "Could not publish the target-layer shapes of model {Model}; the gateway checks its layers by structure only", model.Name);
            }
        }
        startup.Mark("layer shapes");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
