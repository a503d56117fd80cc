using Grpc.Core;
using Grpc.Core.Interceptors;
using SaliencySlider.Gateway.Security;

namespace SaliencySlider.Gateway.Rest;

/// <summary>
/// JSON transcoding answers a refused REST call with the status's HTTP code and message but drops the
/// exception's trailers, so the <c>retry-after</c> hint of RESOURCE_EXHAUSTED (see <see cref="RetryAfter"/>)
/// is copied here into the HTTP <c>Retry-After</c> header. gRPC and gRPC-Web calls keep it as a trailer only.
/// </summary>
public sealed class RetryAfterHeaderInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException e)
        {
            CopyToHeader(e, context);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (RpcException e)
        {
            CopyToHeader(e, context);
            throw;
        }
    }

    private static void CopyToHeader(RpcException refusal, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var isGrpc = http.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) ?? false;
        if (!isGrpc && !http.Response.HasStarted && refusal.Trailers.GetValue(RetryAfter.Trailer) is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds;
        }
    }
}
