using Grpc.Core;
using Grpc.Core.Interceptors;

namespace SaliencySlider.Gateway.Security;

/// <summary>
/// An interceptor that only decides whether a call may start, for every kind of call: <see cref="Admit"/>
/// refuses one by throwing an <see cref="RpcException"/> before the handler runs. It sees the request of unary and
/// server-streaming calls (null for the others).
/// </summary>
public abstract class CallAdmissionInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context, request);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context, request);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context, null);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context, null);
        return continuation(requestStream, responseStream, context);
    }

    /// <summary>Returns when the call may run; throws an <see cref="RpcException"/> with the refusal otherwise.</summary>
    protected abstract void Admit(ServerCallContext context, object? request);
}
