using System.Globalization;
using SaliencySlider.Deploy.Tests.Support;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Deploy.Tests;

/// <summary>deploy/k8s/overlays/redis-cluster: the gpu overlay on a Redis Cluster installed by Bitnami's chart.</summary>
public class RedisClusterOverlayTests
{
    private static readonly Lazy<RenderedOverlay> Rendered = new(() => RenderedOverlay.Of("redis-cluster"));

    private static IReadOnlyDictionary<string, string> Config => Rendered.Value.ConfigMapData("saliency-config");

    [Fact]
    public void The_bundled_single_Redis_is_gone_and_the_services_use_the_cluster_with_a_shard_per_primary_and_replica_acks()
    {
        Assert.DoesNotContain(Rendered.Value.Objects, o => o.Scalar("metadata", "name") == "redis" && o.Scalar("kind") is "StatefulSet" or "Service");
        Assert.Equal("redis-cluster.saliency-slider.svc.cluster.local:6379", Config["Redis__Configuration"]);
        Assert.Equal("3", Config["Queue__Shards"]);
        Assert.True(int.Parse(Config["Redis__ReplicaAcks"], CultureInfo.InvariantCulture) >= 1);
    }

    [Fact]
    public void KEDA_scales_on_the_sum_of_one_trigger_per_shard_stream_named_as_the_services_name_them()
    {
        var scaledObject = Rendered.Value.Single("ScaledObject", "worker");
        var triggers = scaledObject.Items("spec", "triggers").ToList();
        var keys = new JobKeys(JobKeys.DefaultPrefix, new QueueOptions
        {
            Stream = Config["Queue__Stream"],
            Shards = int.Parse(Config["Queue__Shards"], CultureInfo.InvariantCulture),
        });

        Assert.Equal(keys.Shards, triggers.Count);
        for (var shard = 0; shard < keys.Shards; shard++)
        {
            var trigger = triggers[shard];
            Assert.Equal("redis-cluster-streams", trigger.Scalar("type"));
            Assert.Equal((string?)keys.Queue(shard), trigger.Scalar("metadata", "stream"));
            Assert.Equal(Config["Queue__Group"], trigger.Scalar("metadata", "consumerGroup"));
            Assert.Equal(Config["Redis__Configuration"], trigger.Scalar("metadata", "addresses"));
        }

        Assert.Equal(
            string.Join(" + ", triggers.Select(t => t.Scalar("name"))),
            scaledObject.Scalar("spec", "advanced", "scalingModifiers", "formula"));
    }

    [Fact]
    public void Only_gateway_workers_KEDA_and_the_other_nodes_reach_the_cluster_nodes()
    {
        var policy = Rendered.Value.OfKind("NetworkPolicy")
            .Single(p => p.Scalar("spec", "podSelector", "matchLabels", "app.kubernetes.io/name") == "redis-cluster");
        var rules = policy.Items("spec", "ingress").ToList();
        var nodes = rules.Single(r => r.Items("from").Any(peer => peer.Scalar("podSelector", "matchLabels", "app.kubernetes.io/name") == "redis-cluster"));

        Assert.Equal(["16379", "6379"], nodes.Items("ports").Select(p => p.Scalar("port")!).Order());
        Assert.Equal(2, rules.Count);
        Assert.Equal(["6379"], rules.Single(r => r != nodes).Items("ports").Select(p => p.Scalar("port")));
    }
}
