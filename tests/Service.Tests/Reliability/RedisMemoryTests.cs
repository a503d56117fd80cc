using Google.Protobuf;
using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;
using StackExchange.Redis;

namespace SaliencySlider.Service.Tests.Reliability;

public sealed class RedisMemoryTests
{
    private static SubmitRequest Request(int inset) => new()
    {
        Image = ByteString.CopyFrom(TestImages.Cropped("coffee.png", inset)),
        Options = new ExplainOptions { FrameCount = 2, MaxFrameSide = 32 },
    };

    [Fact]
    public async Task A_Redis_out_of_memory_answers_RESOURCE_EXHAUSTED_with_a_retry_hint_then_accepts_once_memory_is_free()
    {
        await using var redis = new OwnRedisServer("--maxmemory-policy", "noeviction");
        await redis.StartAsync();
        var stack = new ServiceStack(redis.Configuration, [new("Queue:BusyRetryAfter", "00:00:06")]);
        await stack.InitializeAsync();
        try
        {
            await FillThenFreeAsync(stack);
        }
        finally
        {
            await stack.DisposeAsync();
        }
    }

    private static async Task FillThenFreeAsync(ServiceStack stack)
    {
        // Fill 20 MB, then lower maxmemory under it: the state of a Redis that filled up (noeviction refuses writes).
        RedisKey[] pieces = [.. Enumerable.Range(0, 20).Select(i => (RedisKey)$"filler-{i}")];
        foreach (var piece in pieces)
        {
            await stack.Redis.StringSetAsync(piece, new byte[1024 * 1024]);
        }

        await using (var admin = await ConnectionMultiplexer.ConnectAsync(stack.RedisConfiguration + ",allowAdmin=true"))
        {
            await admin.GetServer(admin.GetEndPoints()[0]).ConfigSetAsync("maxmemory", "8mb");
        }

        var full = await Assert.ThrowsAsync<RpcException>(() => stack.Client.SubmitAsync(Request(1), stack.Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, full.StatusCode);
        Assert.Contains("the job store (Redis) is full; retry in 6 s", full.Status.Detail);
        Assert.Equal("6", full.Trailers.GetValue("retry-after"));
        Assert.Equal(0, await stack.Redis.StreamLengthAsync(stack.QueueStream));
        await stack.Redis.KeyDeleteAsync(pieces);
        var accepted = await stack.Client.SubmitAsync(Request(1), stack.Deadline());
        Assert.Equal(JobState.Queued, accepted.State);
    }
}

public sealed class WorkerOutOfMemoryTests
{
    [Fact]
    public async Task A_worker_whose_writes_Redis_refuses_for_memory_leaves_the_job_pending_and_completes_it_once_memory_is_free()
    {
        await using var redis = new OwnRedisServer("--maxmemory-policy", "noeviction");
        await redis.StartAsync();
        var stack = new ServiceStack(redis.Configuration, []);
        await stack.InitializeAsync();
        try
        {
            var jobId = (await stack.Client.SubmitAsync(new SubmitRequest
            {
                Image = ByteString.CopyFrom(TestImages.Cropped("dog.jpg", 2)),
                Options = new ExplainOptions { FrameCount = 3, MaxFrameSide = 32 },
            }, stack.Deadline())).JobId;
            await using var admin = await ConnectionMultiplexer.ConnectAsync(stack.RedisConfiguration + ",allowAdmin=true");
            var server = admin.GetServer(admin.GetEndPoints()[0]);
            RedisKey[] pieces = [.. Enumerable.Range(0, 20).Select(i => (RedisKey)$"filler-{i}")];
            foreach (var piece in pieces)
            {
                await stack.Redis.StringSetAsync(piece, new byte[1024 * 1024]);
            }

            await server.ConfigSetAsync("maxmemory", "8mb");
            await using var worker = await stack.StartWorkerAsync("out-of-memory",
                new("Queue:VisibilityTimeout", "00:00:01"), new("Queue:ClaimRefreshInterval", "00:00:00.250"));

            // Refused attempts leave the entry pending; it is delivered again once its visibility timeout passes.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            StreamPendingMessageInfo[] pending;
            do
            {
                pending = await stack.Redis.StreamPendingMessagesAsync(stack.QueueStream, stack.Keys.Group, 10, RedisValue.Null);
            }
            while ((pending.Length == 0 || pending[0].DeliveryCount < 2) && DateTime.UtcNow < deadline);

            Assert.True(pending[0].DeliveryCount >= 2, "the job was not delivered again after its refused attempt");
            var jobKey = stack.Keys.Job(jobId);
            Assert.Equal("QUEUED", (string?)await stack.Redis.HashGetAsync(jobKey, "state"));
            Assert.Equal(0, (int)await stack.Redis.HashGetAsync(jobKey, "attempts"));

            await server.ConfigSetAsync("maxmemory", "0");
            await stack.Redis.KeyDeleteAsync(pieces);
            var events = await stack.StreamAllAsync(jobId);

            Assert.Equal(3, events.Count(e => e.EventCase == JobEvent.EventOneofCase.Frame));
            Assert.Equal(JobEvent.EventOneofCase.Completed, events[^1].EventCase);
            Assert.Equal(1, (int)await stack.Redis.HashGetAsync(jobKey, "attempts"));
        }
        finally
        {
            await stack.DisposeAsync();
        }
    }
}

/// <summary>Frames (events and image) kept 5 minutes, the record 15.</summary>
public sealed class ShortFrameTtlStack() : ConfiguredStack(
    FrameTtl)
{
    public static readonly KeyValuePair<string, string?> FrameTtl = new("Jobs:FrameTtl", "00:05:00");
}

public sealed class FrameExpiryTests(ShortFrameTtlStack fixture) : IClassFixture<ShortFrameTtlStack>
{
    [Fact]
    public async Task Frames_expire_before_the_record_and_a_replay_then_says_so_and_a_new_Submit_computes_them_again()
    {
        var stack = fixture.Stack;
        var request = new SubmitRequest
        {
            Image = ByteString.CopyFrom(TestImages.Cropped("giraffe.jpg", 6)),
            Options = new ExplainOptions { FrameCount = 3, MaxFrameSide = 32 },
        };
        var jobId = (await stack.Client.SubmitAsync(request, stack.Deadline())).JobId;
        await using var worker = await stack.StartWorkerAsync("frame-ttl", ShortFrameTtlStack.FrameTtl);
        var first = await stack.StreamAllAsync(jobId);
        Assert.Equal(JobEvent.EventOneofCase.Completed, first[^1].EventCase);

        var eventsKey = stack.Keys.Events(jobId);
        Assert.InRange((await stack.Redis.KeyTimeToLiveAsync(eventsKey))!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.InRange((await stack.Redis.KeyTimeToLiveAsync(stack.Keys.Image(jobId)))!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.InRange((await stack.Redis.KeyTimeToLiveAsync(stack.Keys.Job(jobId)))!.Value, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));

        await stack.Redis.KeyDeleteAsync(eventsKey); // as the frame TTL would

        var expired = await Assert.ThrowsAsync<RpcException>(() => stack.StreamAllAsync(jobId));
        Assert.Equal(StatusCode.NotFound, expired.StatusCode);
        Assert.Contains("expired", expired.Status.Detail);
        Assert.Contains("submit the same image and options again", expired.Status.Detail);
        var record = (await stack.Client.GetJobAsync(new GetJobRequest { JobId = jobId }, stack.Deadline())).Job;
        Assert.Equal(JobState.Done, record.State);
        Assert.NotNull(record.Prediction);

        var again = await stack.Client.SubmitAsync(request, stack.Deadline());
        Assert.False(again.Cached);
        Assert.Equal(jobId, again.JobId);
        var second = await stack.StreamAllAsync(jobId);
        Assert.Equal(3, second.Count(e => e.EventCase == JobEvent.EventOneofCase.Frame));
        Assert.Equal(JobEvent.EventOneofCase.Completed, second[^1].EventCase);
    }
}
