using Grpc.Core;
using Microsoft.Extensions.Options;

namespace SaliencySlider.Gateway.Security;

/// <summary>Section "Streams": how many event streams (StreamFrames, Explain) may be open at once.</summary>
public sealed class StreamLimitOptions
{
    public const string Section = "Streams";

    /// <summary>Open streams per client (see <see cref="ClientIdentity"/>).</summary>
    public int MaxPerClient { get; set; } = 32;

    /// <summary>Open streams on this gateway, all clients together.</summary>
    public int MaxTotal { get; set; } = 2000;

    /// <summary>The retry hint of a refused stream.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Counts open event streams per client and in all; a stream over either cap is refused with RESOURCE_EXHAUSTED.</summary>
public sealed class StreamAdmission(ClientIdentity clients, IOptions<StreamLimitOptions> options)
{
    private readonly StreamLimitOptions _limits = options.Value;
    private readonly Dictionary<string, int> _perClient = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _total;

    /// <summary>Admits one stream of the calling client until the returned lease is disposed.</summary>
    public IDisposable Enter(ServerCallContext context)
    {
        var client = clients.Of(context);
        lock (_lock)
        {
            var open = _perClient.GetValueOrDefault(client);
            if (open >= _limits.MaxPerClient)
            {
                throw RetryAfter.Exhausted($"this client has {open} streams open; the limit is {_limits.MaxPerClient}", _limits.RetryAfter);
            }

            if (_total >= _limits.MaxTotal)
            {
                throw RetryAfter.Exhausted($"the server has {_total} streams open; the limit is {_limits.MaxTotal}", _limits.RetryAfter);
            }

            _perClient[client] = open + 1;
            _total++;
        }

        return new Lease(this, client);
    }

    private void Leave(string client)
    {
        lock (_lock)
        {
            _total--;
            if (--_perClient[client] == 0)
            {
                _perClient.Remove(client);
            }
        }
    }

    private sealed class Lease(StreamAdmission owner, string client) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Leave(client);
            }
        }
    }
}
