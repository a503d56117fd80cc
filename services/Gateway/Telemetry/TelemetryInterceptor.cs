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
        catch (RpcException e)
        {
            Record(activity, e.StatusCode, e.Status.Detail, context);
            throw;
        }
        catch (Exception e)
        {
            Record(activity, context.CancellationToken.IsCancellationRequested ? StatusCode.Cancelled : StatusCode.Unknown, e.GetType().Name, context);
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
        catch (RpcException e)
        {
            Record(activity, e.StatusCode, e.Status.Detail, context);
            throw;
        }
        catch (Exception e)
        {
            Record(activity, context.CancellationToken.IsCancellationRequested ? StatusCode.Cancelled : StatusCode.Unknown, e.GetType().Name, context);
            throw;
        }
    }

    private void Record(Activity? activity, StatusCode status, string detail, ServerCallContext context)
    {
        metrics.Rejected(status, MethodName(context));
        activity?.SetStatus(ActivityStatusCode.Error, $"{status}: {detail}");
    }

    /// <summary>"Submit" from "/saliency.v1.SaliencySlider/Submit".</summary>
    private static string MethodName(ServerCallContext context) => context.Method[(context.Method.LastIndexOf('/') + 1)..];
}
