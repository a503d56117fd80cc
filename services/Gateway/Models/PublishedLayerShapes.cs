using System.Collections.Concurrent;
using SaliencySlider.Engine.Models;
using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Models;

/// <summary>
/// The target-layer shapes the workers published for each served model file (<see cref="LayerShapes"/>), read from
/// Redis when first needed and then kept. Until a worker has loaded a model they are missing, and are looked up
/// again at most every <see cref="LookAgainAfter"/>.
/// </summary>
public sealed class PublishedLayerShapes(IConnectionMultiplexer redis, JobKeys keys, TimeProvider clock, ILogger<PublishedLayerShapes> logger)
{
    public static readonly TimeSpan LookAgainAfter = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Lazy<string?>> _fileHashes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LayerShapes> _found = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _missedAt = new(StringComparer.Ordinal);

    /// <summary>The model's shapes, or null while no worker has published shapes for its file.</summary>
    public async Task<LayerShapes?> OfAsync(ModelEntry model)
    {
        if (_found.TryGetValue(model.Name, out var known))
        {
            return known;
        }

        var now = clock.GetUtcNow();
        if (_missedAt.TryGetValue(model.Name, out var missed) && now - missed < LookAgainAfter)
        {
            return null;
        }

        var fileHash = _fileHashes.GetOrAdd(model.Name, _ => new Lazy<string?>(() => HashOf(model))).Value;
        var shapes = fileHash is null ? null : LayerShapes.TryDecode(await redis.GetDatabase().StringGetAsync(keys.ModelLayers(fileHash)));
        if (shapes is null)
        {
            _missedAt[model.Name] = now;
            return null;
        }

        _found[model.Name] = shapes;
        return shapes;
    }

    private string? HashOf(ModelEntry model)
    {
        try
        {
            return LayerShapes.FileHash(model.OnnxPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Model {Model}: target layers are checked by structure only, its file cannot be read: {Reason}", model.Name, e.Message);
            return null;
        }
    }
}
