using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using SaliencySlider.Gateway.Security;
using SaliencySlider.Shared.Configuration;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Grpc;

/// <summary>
/// Answers UNAVAILABLE (retryable) rather than UNKNOWN when Redis cannot be reached, and RESOURCE_EXHAUSTED
/// with a retry hint when it is out of memory (maxmemory with noeviction: writes are refused until keys expire).
/// </summary>
public sealed class RedisFailureInterceptor(IOptions<QueueOptions> queueOptions, ILogger<RedisFailureInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (IsRedisUnavailable(e) || IsRedisFull(e))
        {
            throw Refusal(context, e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (IsRedisUnavailable(e) || IsRedisFull(e))
        {
            throw Refusal(context, e);
        }
    }

    // LOADING: a restarted Redis still reading its append-only file; READONLY/MASTERDOWN: a failover;
    // CLUSTERDOWN/TRYAGAIN: a Redis Cluster whose slot has no primary yet, or is being moved.
    private static readonly string[] UnavailableReplies = ["LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN"];

    private static bool IsRedisUnavailable(Exception e) => e is RedisConnectionException or RedisTimeoutException
        || (e is RedisServerException server && UnavailableReplies.Any(reply => server.Message.StartsWith(reply, StringComparison.Ordinal)));

    private static bool IsRedisFull(Exception e) => e is RedisServerException server && server.Message.StartsWith("OOM", StringComparison.Ordinal);

    private RpcException Refusal(ServerCallContext context, Exception e)
    {
        if (IsRedisFull(e))
        {
            logger.LogWarning(e, "Redis out of memory during {Method}", context.Method);
            return RetryAfter.Exhausted("the job store (Redis) is full", queueOptions.Value.BusyRetryAfter);
        }

        logger.LogWarning(e, "Redis unavailable during {Method}", context.Method);
        return new RpcException(new Status(StatusCode.Unavailable, "the job store (Redis) is unavailable; retry shortly"));
    }
}
