using Grpc.Core;

namespace SaliencySlider.Gateway.Security;

/// <summary>
/// Who a call comes from, for per-client limits: a valid API key (its hash) when one is presented, else the
/// remote address (the forwarded one behind a trusted proxy). Keys that are not configured never name a client.
/// </summary>
public sealed class ClientIdentity(ApiKeyInterceptor apiKeys)
{
    public string Of(ServerCallContext context)
        => apiKeys.ValidKeyHash(context) is { } keyHash
            ? "key:" + keyHash
            : "ip:" + (context.GetHttpContext().Connection.RemoteIpAddress?.ToString() ?? context.Peer);
}
