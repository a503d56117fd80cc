using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Shared.Jobs;
using Client = SaliencySlider.Contracts.V1.SaliencySliderService.SaliencySliderServiceClient;

namespace SaliencySlider.LoadGen;

/// <summary>gRPC clients of one gateway: submit-and-stream jobs, and stream finished jobs.</summary>
internal sealed class LoadClient : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(5);
    private readonly GrpcChannel _channel;
    private readonly Client _client;

    public LoadClient(int grpcPort)
    {
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}", new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        });
        _client = new Client(_channel);
    }

    /// <summary>Submit, then stream every event to completion; times are from the submit call.</summary>
    public async Task<JobTimings> ExplainAsync(byte[] image, string model = "")
    {
        var submittedAt = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalMilliseconds;
        var clock = Stopwatch.StartNew();
        try
        {
            var submitted = await _client.SubmitAsync(new SubmitRequest { Image = ByteString.CopyFrom(image), Model = model }, deadline: DateTime.UtcNow + CallTimeout);
            var streamed = await StreamAsync(submitted.JobId, clock);
            return streamed with { Cached = submitted.Cached, SubmittedAtUnixMs = submittedAt };
        }
        catch (RpcException e)
        {
            return new JobTimings("", -1, clock.Elapsed.TotalMilliseconds, 0, 0, false, e.Status.ToString());
        }
    }

    /// <summary>Streams a job's events; first-frame and completion times from <paramref name="clock"/>.</summary>
    public async Task<JobTimings> StreamAsync(string jobId, Stopwatch? clock = null)
    {
        clock ??= Stopwatch.StartNew();
        double firstFrame = -1;
        var frames = 0;
        long bytes = 0;
        try
        {
            using var call = _client.StreamFrames(new StreamFramesRequest { JobId = jobId }, deadline: DateTime.UtcNow + CallTimeout);
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                bytes += response.CalculateSize();
                var e = response.Event;
                switch (e.EventCase)
                {
                    case JobEvent.EventOneofCase.Frame:
                        frames++;
                        if (firstFrame < 0)
                        {
                            firstFrame = clock.Elapsed.TotalMilliseconds;
                        }
                        break;
                    case JobEvent.EventOneofCase.Completed:
                        var timings = e.Completed.Timings ?? new Timings();
                        return new JobTimings(jobId, firstFrame, clock.Elapsed.TotalMilliseconds, frames, bytes, false, null)
                        {
                            QueueMs = timings.QueueMs,
                            Stages = ContractTimings.ToEngine(timings),
                        };
                    case JobEvent.EventOneofCase.Status when e.Status.State == JobState.Failed:
                        return new JobTimings(jobId, firstFrame, clock.Elapsed.TotalMilliseconds, frames, bytes, false, "job failed: " + e.Status.Message);
                    default:
                        break;
                }
            }
            return new JobTimings(jobId, firstFrame, clock.Elapsed.TotalMilliseconds, frames, bytes, false, "stream ended without Completed");
        }
        catch (RpcException e)
        {
            return new JobTimings(jobId, firstFrame, clock.Elapsed.TotalMilliseconds, frames, bytes, false, e.Status.ToString());
        }
    }

    /// <summary>The served models' names, the default model first.</summary>
    public async Task<IReadOnlyList<string>> ListModelsAsync()
    {
        var response = await _client.ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow + CallTimeout);
        return [.. response.Models.OrderByDescending(m => m.IsDefault).Select(m => m.Name)];
    }

    public void Dispose() => _channel.Dispose();
}
