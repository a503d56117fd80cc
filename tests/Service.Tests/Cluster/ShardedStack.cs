using Google.Protobuf;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Cluster;

/// <summary>The shared xunit collection of the tests that use one <see cref="RedisCluster"/> together.</summary>
[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisCluster>
{
    public const string Name = "redis-cluster";
}

/// <summary>A <see cref="ServiceStack"/> on a Redis Cluster with one queue shard per primary, and the key layout it uses.</summary>
public static class ShardedStack
{
    public const int FrameCount = 2;

    public static ServiceStack Create(RedisCluster cluster, params KeyValuePair<string, string?>[] settings)
        => new(cluster.Configuration, [], [new("Queue:Shards", RedisCluster.Primaries.ToString(System.Globalization.CultureInfo.InvariantCulture)), .. settings]);

    /// <summary>Distinct small jobs (cropped photos, frames of at most 64 px), the same ones every run.</summary>
    public static IEnumerable<SubmitRequest> Submissions(int count, int frameCount = FrameCount) => Enumerable.Range(0, count).Select(i => new SubmitRequest
    {
        Image = ByteString.CopyFrom(TestImages.Cropped(new[] { "chelsea.png", "coffee.png", "eagle.jpg" }[i % 3], 1 + (i / 3))),
        Options = new ExplainOptions { FrameCount = frameCount, MaxFrameSide = 64 },
    });
}
