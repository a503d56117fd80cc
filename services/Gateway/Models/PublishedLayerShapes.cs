using System.Collections.Concurrent;
using SaliencySlider.Engine.Models;
using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Models;

/// <summary>
/// The target-layer shapes the workers published for each served model file (<see cref="LayerShapes"/>), read from
/// Redis when first needed and then kept. Until a worker has loaded a model they are missing, and are looked up
/// again at most every <see cref="LookAgainAfter"/>. The files are hashed (to find their shapes) and their weightless
/// graphs read in the background at start-up, so no Submit pays for either; a Submit before that is done is checked
/// by the graph's structure only. The gateway reads its models once, at start: a changed file needs a restart.
/// </summary>
public sealed class PublishedLayerShapes(
    IConnectionMultiplexer redis, JobKeys keys, ServedModels models, TimeProvider clock, ILogger<PublishedLayerShapes> logger) : IHostedService
{
    public static readonly TimeSpan LookAgainAfter = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, string?> _fileHashes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LayerShapes> _found = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _missedAt = new(StringComparer.Ordinal);
    private int _filesHashed;

    /// <summary>Completes once every served model file is hashed and its graph read.</summary>
    public Task FilesRead { get; private set; } = Task.CompletedTask;

    /// <summary>How many model files have been hashed (a test seam: Submits must not add to it).</summary>
    public int FilesHashed => Volatile.Read(ref _filesHashed);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        FilesRead = Task.Run(ReadFiles, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The model's shapes, or null while no worker has published shapes for its file (or its hash is not ready).</summary>
    public async Task<LayerShapes?> OfAsync(ModelEntry model)
    {
        if (_found.TryGetValue(model.Name, out var known))
        {
            return known;
        }

        var now = clock.GetUtcNow();
        if (!_fileHashes.TryGetValue(model.Name, out var fileHash) || fileHash is null
            || (_missedAt.TryGetValue(model.Name, out var missed) && now - missed < LookAgainAfter))
        {
            return null;
        }

        var shapes = LayerShapes.TryDecode(await redis.GetDatabase().StringGetAsync(keys.ModelLayers(fileHash)));
        if (shapes is null)
        {
            _missedAt[model.Name] = now;
            return null;
        }

        _found[model.Name] = shapes;
        return shapes;
    }

    private void ReadFiles()
    {
        foreach (var model in models.Catalog.Models)
        {
            _fileHashes[model.Name] = HashOf(model);
            _ = models.GraphOf(model);
        }
    }

    private string? HashOf(ModelEntry model)
    {
        try
        {
            var hash = LayerShapes.FileHash(model.OnnxPath);
            Interlocked.Increment(ref _filesHashed);
            return hash;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Model {Model}: target layers are checked by structure only, its file cannot be read: {Reason}", model.Name, e.Message);
            return null;
        }
    }
}
