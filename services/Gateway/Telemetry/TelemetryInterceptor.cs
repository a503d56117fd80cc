using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using SaliencySlider.Contracts.V1;

namespace SaliencySlider.Gateway.Telemetry;

/// <summary>
/// Around every RPC: its span (see <see cref="GatewayTracing"/>), streaming clients while a stream is
/// open, and the status of every call that did not end OK. Registered first, so it sees the status the
/// client gets (after the other interceptors mapped exceptions).
/// </summary>
public sealed class TelemetryInterceptor(GatewayMetrics metrics, GatewayTracing tracing) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        using var activity = GatewayTracing.StartCall(MethodName(context));
        try
        {
            var response = await continuation(request, context);
            if (response is SubmitResponse submitted)
            {
                activity?.SetTag(Shared.Telemetry.TelemetryNames.JobIdTag, submitted.JobId);
            }

            return response;
        }
        catch (Exception e)
        {
            RecordFailure(activity, e, context);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var method = MethodName(context);
        using var activity = request is StreamFramesRequest stream
            ? await tracing.StartStreamAsync(method, stream.JobId)
            : GatewayTracing.StartCall(method);
        using var client = metrics.StreamStarted();
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e)
        {
            RecordFailure(activity, e, context);
            throw;
        }
    }

    /// <summary>Records the RpcException's status, else Cancelled when the client went away, else Unknown.</summary>
    private void RecordFailure(Activity? activity, Exception exception, ServerCallContext context)
    {
        var (status, detail) = exception is RpcException rpc
            ? (rpc.StatusCode, rpc.Status.Detail)
            : (context.CancellationToken.IsCancellationRequested ? StatusCode.Cancelled : StatusCode.Unknown, exception.GetType().Name);
        metrics.Rejected(status, MethodName(context));
        activity?.SetStatus(ActivityStatusCode.Error, $"{status}: {detail}");
    }

    /// <summary>"Submit" from "/saliency.v1.SaliencySliderService/Submit".</summary>
    private static string MethodName(ServerCallContext context) => context.Method[(context.Method.LastIndexOf('/') + 1)..];
}
