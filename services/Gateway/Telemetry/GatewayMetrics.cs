using System.Diagnostics.Metrics;
using Grpc.Core;
using SaliencySlider.Shared.Telemetry;

namespace SaliencySlider.Gateway.Telemetry;

/// <summary>The gateway's instruments (meter "SaliencySlider.Gateway").</summary>
public sealed class GatewayMetrics : IDisposable
{
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _rejected;
    private readonly UpDownCounter<long> _streamingClients;

    public GatewayMetrics()
    {
        Meter = new Meter(TelemetryNames.Gateway);
        _cacheHits = Meter.CreateCounter<long>("saliency.gateway.cache.hits", "{submission}",
            "Submissions answered by an existing job (nothing queued)");
        _cacheMisses = Meter.CreateCounter<long>("saliency.gateway.cache.misses", "{submission}",
            "Submissions that queued a job");
        _rejected = Meter.CreateCounter<long>("saliency.gateway.rejected_requests", "{request}",
            "RPCs that ended with a status other than OK, by status and method");
        _streamingClients = Meter.CreateUpDownCounter<long>("saliency.gateway.streaming_clients", "{client}",
            "Clients streaming a job's events now (StreamFrames and Explain)");
    }

    internal Meter Meter { get; }

    public void Submitted(bool cached) => (cached ? _cacheHits : _cacheMisses).Add(1);

    public void Rejected(StatusCode status, string method) => _rejected.Add(1,
        new KeyValuePair<string, object?>("status", status.ToString()),
        new KeyValuePair<string, object?>("method", method));

    /// <summary>Counts a streaming client until the returned handle is disposed.</summary>
    public StreamingClient StreamStarted()
    {
        _streamingClients.Add(1);
        return new StreamingClient(_streamingClients);
    }

    public void Dispose() => Meter.Dispose();

    public readonly struct StreamingClient(UpDownCounter<long> counter) : IDisposable
    {
        public void Dispose() => counter.Add(-1);
    }
}
