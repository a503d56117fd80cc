using Grpc.Core;
using Grpc.Core.Interceptors;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Grpc;

/// <summary>Answers UNAVAILABLE (retryable) rather than UNKNOWN when Redis cannot be reached.</summary>
public sealed class RedisFailureInterceptor(ILogger<RedisFailureInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (IsRedisUnavailable(e))
        {
            throw Unavailable(context, e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (IsRedisUnavailable(e))
        {
            throw Unavailable(context, e);
        }
    }

    private static bool IsRedisUnavailable(Exception e) => e is RedisConnectionException or RedisTimeoutException;

    private RpcException Unavailable(ServerCallContext context, Exception e)
    {
        logger.LogWarning(e, "Redis unavailable during {Method}", context.Method);
        return new RpcException(new Status(StatusCode.Unavailable, "the job store (Redis) is unavailable; retry shortly"));
    }
}
