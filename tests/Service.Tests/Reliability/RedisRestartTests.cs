using Google.Protobuf;
using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Reliability;

/// <summary>A redis-server of the test's own, killed and started again on its append-only file while jobs are queued and streamed.</summary>
public sealed class RedisRestartTests
{
    private const int Jobs = 4;
    private const int FrameCount = 9;

    [Fact]
    public async Task Accepted_jobs_survive_a_Redis_restart_and_streaming_clients_get_events_or_a_retryable_UNAVAILABLE()
    {
        await using var redis = new OwnRedisServer();
        await redis.StartAsync();
        var stack = new ServiceStack(redis.Configuration, []);
        await using var disposeStack = new AsyncDisposer(stack.DisposeAsync);
        await stack.InitializeAsync();
        await stack.StartWorkerAsync("restart", new("Queue:VisibilityTimeout", "00:00:03"), new("Queue:ClaimRefreshInterval", "00:00:01"));

        var jobIds = new List<string>();
        var firstEvents = new List<(AsyncServerStreamingCall<StreamFramesResponse> Call, AttemptAwareReader Reader)>();
        for (var i = 0; i < Jobs; i++)
        {
            var submitted = await stack.Client.SubmitAsync(new SubmitRequest
            {
                Image = ByteString.CopyFrom(TestImages.Cropped("eagle.jpg", i + 1)),
                Options = new ExplainOptions { FrameCount = FrameCount, MaxFrameSide = 64 },
            }, stack.Deadline());
            jobIds.Add(submitted.JobId);
            var call = stack.Client.StreamFrames(new StreamFramesRequest { JobId = submitted.JobId }, stack.Deadline());
            var reader = new AttemptAwareReader();
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            reader.Apply(call.ResponseStream.Current.Event);
            firstEvents.Add((call, reader));
        }

        await redis.KillAsync();
        await redis.StartAsync();

        var unavailable = 0;
        var clients = firstEvents.Select(async (stream, i) =>
        {
            var (call, reader) = stream;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (true)
            {
                try
                {
                    using (call)
                    {
                        if (await reader.ReadToEndAsync(call.ResponseStream.Events()))
                        {
                            return reader;
                        }
                    }
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
                {
                    Interlocked.Increment(ref unavailable);
                    await Task.Delay(250); // the client's retry back-off
                }

                reader = new AttemptAwareReader(); // StreamFrames replays the job from its start
                call = stack.Client.StreamFrames(new StreamFramesRequest { JobId = jobIds[i] }, stack.Deadline());
            }
        }).ToList();
        var readers = await Task.WhenAll(clients);

        foreach (var reader in readers)
        {
            Assert.NotNull(reader.Completed);
            Assert.Equal(Enumerable.Range(0, FrameCount), reader.Frames.Select(f => f.Index).Order());
        }

        foreach (var jobId in jobIds)
        {
            var job = (await stack.Client.GetJobAsync(new GetJobRequest { JobId = jobId }, stack.Deadline())).Job;
            Assert.Equal(JobState.Done, job.State);
        }

        Console.WriteLine($"[reliability] Redis restart: {Jobs} jobs completed; {unavailable} UNAVAILABLE answers were retried");
    }

    private sealed class AsyncDisposer(Func<Task> dispose) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await dispose();
    }
}
