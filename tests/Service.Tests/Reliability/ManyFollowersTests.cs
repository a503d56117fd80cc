using Google.Protobuf;
using Grpc.Core;
using StackExchange.Redis;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Reliability;

/// <summary>
/// No rate limit, room for hundreds of streams from one client (the test), and a long fallback wait: a follower that
/// missed its wake-up would see the next event only after <see cref="ManyFollowersTests.FallbackWait"/>.
/// </summary>
public sealed class ManyFollowersStack() : ConfiguredStack(
    new("RateLimit:SubmitsPerMinute", "0"),
    new("Streams:MaxPerClient", "400"),
    new("Queue:BlockTime", ManyFollowersTests.FallbackWait.ToString("c", System.Globalization.CultureInfo.InvariantCulture)));

public sealed class ManyFollowersTests(ManyFollowersStack fixture) : IClassFixture<ManyFollowersStack>
{
    public static readonly TimeSpan FallbackWait = TimeSpan.FromSeconds(10);
    private const int IdleJobs = 30;
    private const int FollowersPerIdleJob = 10;
    private readonly ServiceStack _stack = fixture.Stack;

    private async Task<string> SubmitAsync(string image, int inset, int frames)
        => (await _stack.Client.SubmitAsync(new SubmitRequest
        {
            Image = ByteString.CopyFrom(TestImages.Cropped(image, inset)),
            Options = new ExplainOptions { FrameCount = frames, MaxFrameSide = 64 },
        }, _stack.Deadline())).JobId;

    private async Task<long> ConnectedClientsAsync()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(_stack.RedisConfiguration + ",allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        var clients = (await server.InfoAsync("clients")).SelectMany(group => group).Single(entry => entry.Key == "connected_clients");
        return long.Parse(clients.Value, System.Globalization.CultureInfo.InvariantCulture) - 1; // less this connection
    }

    [Fact]
    public async Task With_300_idle_followers_a_running_jobs_client_is_woken_for_each_frame_within_a_second_and_no_connection_per_follower()
    {
        // The job to watch is queued first, so the one worker takes it before the idle ones.
        var watchedJob = await SubmitAsync("eagle.jpg", 3, frames: 9);
        var idleJobs = new List<string>();
        for (var i = 0; i < IdleJobs; i++)
        {
            idleJobs.Add(await SubmitAsync("coffee.png", 10 + i, frames: 2));
        }

        var clientsBefore = await ConnectedClientsAsync();
        using var stopIdle = new CancellationTokenSource();
        var idleCalls = new List<AsyncServerStreamingCall<StreamFramesResponse>>();
        try
        {
            foreach (var jobId in idleJobs)
            {
                for (var f = 0; f < FollowersPerIdleJob; f++)
                {
                    var call = _stack.Client.StreamFrames(new StreamFramesRequest { JobId = jobId }, cancellationToken: stopIdle.Token);
                    idleCalls.Add(call);
                }
            }

            foreach (var call in idleCalls)
            {
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None)); // QUEUED: now following
                Assert.Equal(JobState.Queued, call.ResponseStream.Current.Event.Status.State);
            }

            // A follower waits on the gateway's one activity read, not on a Redis connection of its own.
            Assert.InRange(await ConnectedClientsAsync() - clientsBefore, 0, 10);

            using var watched = _stack.Client.StreamFrames(new StreamFramesRequest { JobId = watchedJob }, _stack.Deadline());
            await using var worker = await _stack.StartWorkerAsync("many-followers");
            var received = new List<(JobEvent Event, DateTimeOffset At)>();
            while (await watched.ResponseStream.MoveNext(CancellationToken.None))
            {
                received.Add((watched.ResponseStream.Current.Event, DateTimeOffset.UtcNow));
            }

            // Each event's stream entry id is the Redis clock (this machine's) when it was written.
            var written = await _stack.Redis.StreamRangeAsync(_stack.Keys.Events(watchedJob));
            var frames = received.Where(r => r.Event.EventCase == JobEvent.EventOneofCase.Frame).ToList();
            var frameEntries = written.Where(e => JobEvent.Parser.ParseFrom((byte[])e["event"]!).EventCase == JobEvent.EventOneofCase.Frame).ToList();
            Assert.Equal(9, frames.Count);
            Assert.Equal(frameEntries.Count, frames.Count);
            var delays = frames.Select((f, i) => f.At - DateTimeOffset.FromUnixTimeMilliseconds(
                long.Parse(((string)frameEntries[i].Id!).Split('-')[0], System.Globalization.CultureInfo.InvariantCulture))).ToList();
            var report = string.Join(", ", delays.Select(d => $"{d.TotalMilliseconds:0}"));
            // Every frame woken, not found by the fallback wait (well under it even on a loaded machine); and frames
            // reach the client within a second of being written, which one stalled frame on a loaded CI machine
            // does not disprove: the median is held to it.
            Assert.True(delays.Max() < FallbackWait / 2, $"a frame arrived as late as the fallback wait allows: ms after each was written: {report}");
            Assert.True(delays.Order().ElementAt(delays.Count / 2) < TimeSpan.FromSeconds(1), $"frames reached the client more than a second after they were written: {report}");

            Assert.Equal(JobEvent.EventOneofCase.Completed, received[^1].Event.EventCase);
            Console.WriteLine($"[many-followers] {IdleJobs * FollowersPerIdleJob} idle followers: each frame reached its client after (ms) {report}");
        }
        finally
        {
            await stopIdle.CancelAsync();
            foreach (var call in idleCalls)
            {
                call.Dispose();
            }
        }
    }
}
