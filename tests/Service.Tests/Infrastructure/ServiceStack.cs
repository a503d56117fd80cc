using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SaliencySlider.Contracts.V1;
using SaliencySlider.ExplainerWorker;
using SaliencySlider.ExplainerWorker.Processing;
using SaliencySlider.Gateway;
using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.Service.Tests.Infrastructure;

/// <summary>A worker host running in this process with its real services.</summary>
public sealed class WorkerHandle(IHost host) : IAsyncDisposable
{
    private int _disposed;

    public WorkerMetrics Metrics { get; } = host.Services.GetRequiredService<WorkerMetrics>();

    /// <summary>Port of the worker's /metrics, /healthz and /readyz.</summary>
    public int MetricsPort => host.Services.GetRequiredService<SaliencySlider.ExplainerWorker.Telemetry.WorkerHttpEndpoints>().Port;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}

/// <summary>
/// The real gateway (Kestrel on free ports, real HTTP/2 sockets) against the real Redis, plus real
/// workers that a test starts when it wants them. Every key and the queue stream carry a prefix
/// unique to this instance, so test classes never see each other's jobs.
/// </summary>
public sealed class ServiceStack : IAsyncLifetime
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(3);
    private readonly List<WorkerHandle> _workers = [];
    private readonly string? _redisConfiguration;
    private readonly KeyValuePair<string, string?>[] _gatewaySettings;
    private readonly KeyValuePair<string, string?>[] _sharedSettings;

    public ServiceStack()
        : this(null, [])
    {
    }

    /// <param name="redisConfiguration">A Redis of the test's own (default: the shared one of <see cref="RedisServer"/>).</param>
    /// <param name="gatewaySettings">Gateway settings over the common ones.</param>
    /// <param name="sharedSettings">Settings over the common ones for the gateway and every worker (e.g. the queue shards).</param>
    internal ServiceStack(
        string? redisConfiguration, IEnumerable<KeyValuePair<string, string?>> gatewaySettings, IEnumerable<KeyValuePair<string, string?>>? sharedSettings = null)
    {
        _redisConfiguration = redisConfiguration;
        _gatewaySettings = [.. gatewaySettings];
        _sharedSettings = [.. sharedSettings ?? []];
    }

    private WebApplication? _gateway;
    private GrpcChannel? _channel;
    private ConnectionMultiplexer? _redis;

    public string KeyPrefix { get; } = "test-" + Guid.NewGuid().ToString("N")[..10];
    public string QueueStream => KeyPrefix + ":jobs";
    public string RedisConfiguration { get; private set; } = "";
    public SaliencySlider.Contracts.V1.SaliencySliderService.SaliencySliderServiceClient Client { get; private set; } = null!;
    public IDatabase Redis => _redis!.GetDatabase();
    public int GrpcPort { get; private set; }
    public int HttpPort { get; private set; }
    public WebApplication Gateway => _gateway!;
    public string DeadLetterStream => KeyPrefix + ":jobs:dead";

    /// <summary>The Redis layout the gateway uses (the workers get the same settings): keys, streams and the consumer group.</summary>
    public JobKeys Keys => Gateway.Services.GetRequiredService<JobKeys>();

    public async Task InitializeAsync()
    {
        RedisConfiguration = _redisConfiguration ?? await RedisServer.ConfigurationAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(RedisConfiguration);
        _gateway = GatewayApplication.Build([], configuration => configuration.AddInMemoryCollection(CommonSettings()
            .Append(new("Gateway:GrpcPort", "0"))
            .Append(new("Gateway:HttpPort", "0"))).AddInMemoryCollection(_gatewaySettings));
        await _gateway.StartAsync();
        // Kestrel reports the bound addresses in the order the endpoints were declared: gRPC first.
        var addresses = _gateway.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToArray();
        GrpcPort = new Uri(addresses[0]).Port;
        HttpPort = new Uri(addresses[1]).Port;
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{GrpcPort}", new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        Client = new SaliencySlider.Contracts.V1.SaliencySliderService.SaliencySliderServiceClient(_channel);
    }

    /// <summary>Starts a worker (models loaded, consuming the queue) and returns once it is running.</summary>
    public async Task<WorkerHandle> StartWorkerAsync(string name, params KeyValuePair<string, string?>[] settings)
    {
        var host = WorkerApplication.Build([], configuration => configuration.AddInMemoryCollection(CommonSettings()
            .Append(new("Worker:ConsumerName", $"{KeyPrefix}-{name}"))
            .Append(new("Worker:MetricsPort", "0"))
            .Append(new("Worker:Concurrency", "1"))
            .Append(new("Worker:ExecutionProvider", "Cpu"))
            .Append(new("Worker:ShutdownTimeout", "00:00:30"))).AddInMemoryCollection(settings));
        await host.StartAsync();
        var worker = new WorkerHandle(host);
        _workers.Add(worker);
        return worker;
    }

    public CallOptions Deadline() => new(deadline: DateTime.UtcNow + CallTimeout);

    public async Task<List<JobEvent>> StreamAllAsync(string jobId)
    {
        using var call = Client.StreamFrames(new StreamFramesRequest { JobId = jobId }, Deadline());
        return await ReadAllAsync(call.ResponseStream.Events());
    }

    public static async Task<List<JobEvent>> ReadAllAsync(IAsyncStreamReader<JobEvent> stream)
    {
        var events = new List<JobEvent>();
        while (await stream.MoveNext(CancellationToken.None))
        {
            events.Add(stream.Current);
        }

        return events;
    }

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        _channel?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.StopAsync();
            await _gateway.DisposeAsync();
        }

        if (_redis is not null)
        {
            await DeleteKeysAsync(_redis).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
            await _redis.DisposeAsync();
        }
    }

    /// <summary>The settings every process of this stack shares (also given to worker processes as environment variables).</summary>
    public IEnumerable<KeyValuePair<string, string?>> CommonSettings() =>
    [
        new("Redis:Configuration", RedisConfiguration),
        new("Redis:KeyPrefix", KeyPrefix),
        new("Queue:Stream", QueueStream),
        new("Queue:DeadLetterStream", DeadLetterStream),
        new("Queue:BlockTime", "00:00:01"),
        new("Models:Directory", RepoPaths.ModelDirectory),
        new("Models:ManifestDirectory", RepoPaths.ManifestDirectory),
        new("Models:Default", "mobilenet_v2_1.0_224"),
        new("Jobs:Ttl", "00:15:00"),
        new("Jobs:IdSecret", "service-tests"),
        new("RateLimit:SubmitsPerMinute", "0"),
        .. _sharedSettings,
    ];

    private async Task DeleteKeysAsync(ConnectionMultiplexer redis)
    {
        foreach (var server in redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: KeyPrefix + ":*"))
            {
                await redis.GetDatabase().KeyDeleteAsync(key);
            }
        }
    }
}
