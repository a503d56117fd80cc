using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Gateway.Jobs;
using SaliencySlider.Gateway.Models;
using SaliencySlider.Gateway.Security;
using SaliencySlider.Gateway.Submission;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Gateway.Grpc;

/// <summary>The saliency.v1.SaliencySliderService service (see protos/saliency/v1/saliency.proto).</summary>
public sealed class SaliencyGrpcService(
    SubmissionValidator validator,
    JobEnqueuer enqueuer,
    JobRecordReader records,
    JobEventFollower follower,
    ServedModels models,
    WorkerDirectory workers,
    StreamAdmission streams,
    IOptions<QueueOptions> queueOptions) : SaliencySliderService.SaliencySliderServiceBase
{
    public override async Task<SubmitResponse> Submit(SubmitRequest request, ServerCallContext context)
    {
        var result = await EnqueueAsync(request.Image, request.Model, request.Options, context.CancellationToken);
        return new SubmitResponse
        {
            JobId = result.JobId,
            State = result.State,
            Cached = result.Cached,
            QueuePosition = result.QueuePosition,
        };
    }

    public override async Task<GetJobResponse> GetJob(GetJobRequest request, ServerCallContext context)
    {
        CheckJobId(request.JobId);
        return new GetJobResponse { Job = await records.ReadAsync(request.JobId) ?? throw NotFound(request.JobId) };
    }

    public override async Task StreamFrames(StreamFramesRequest request, IServerStreamWriter<StreamFramesResponse> responseStream, ServerCallContext context)
    {
        CheckJobId(request.JobId);
        if (!await records.ExistsAsync(request.JobId))
        {
            throw NotFound(request.JobId);
        }

        using var admitted = streams.Enter(context);
        await ForwardAsync(request.JobId, responseStream, jobEvent => new StreamFramesResponse { Event = jobEvent }, context.CancellationToken);
    }

    public override async Task Explain(ExplainRequest request, IServerStreamWriter<ExplainResponse> responseStream, ServerCallContext context)
    {
        using var admitted = streams.Enter(context);
        var result = await EnqueueAsync(request.Image, request.Model, request.Options, context.CancellationToken);
        await ForwardAsync(result.JobId, responseStream, jobEvent => new ExplainResponse { Event = jobEvent }, context.CancellationToken);
    }

    public override async Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var provider = await workers.ExecutionProviderAsync();
        var response = new ListModelsResponse();
        foreach (var model in models.Catalog.Models)
        {
            response.Models.Add(new ModelInfo
            {
                Name = model.Name,
                InputWidth = model.InputWidth,
                InputHeight = model.InputHeight,
                Classes = model.ClassCount,
                DefaultLayer = model.DefaultLayer ?? "",
                IsDefault = model.Name == models.Catalog.DefaultName,
                ExecutionProvider = provider,
                Description = model.Manifest.Description ?? "",
            });
        }

        return response;
    }

    private async Task<EnqueueResult> EnqueueAsync(ByteString image, string model, ExplainOptions? options, CancellationToken cancellationToken)
    {
        var submission = await validator.ValidateAsync(image.Memory, model, options, cancellationToken);
        try
        {
            return await enqueuer.EnqueueAsync(submission);
        }
        catch (QueueFullException e)
        {
            throw RetryAfter.Exhausted(e.Message, queueOptions.Value.BusyRetryAfter);
        }
        catch (ReplicaAckException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
    }

    private async Task ForwardAsync<TResponse>(
        string jobId, IServerStreamWriter<TResponse> responseStream, Func<JobEvent, TResponse> wrap, CancellationToken cancellationToken)
    {
        await foreach (var jobEvent in follower.FollowAsync(jobId, cancellationToken))
        {
            await responseStream.WriteAsync(wrap(jobEvent), cancellationToken);
        }
    }

    private static void CheckJobId(string jobId)
    {
        if (string.IsNullOrEmpty(jobId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "job_id is empty"));
        }

        if (!JobIdFactory.IsWellFormed(jobId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"job_id '{Shorten(jobId)}' is malformed: job ids are {JobIdFactory.IdLength} lowercase hex digits, as returned by Submit"));
        }
    }

    private static RpcException NotFound(string jobId)
        => new(new Status(StatusCode.NotFound, $"no job {jobId}: it was never submitted or has expired"));

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
