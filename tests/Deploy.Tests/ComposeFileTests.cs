using System.Collections.Immutable;
using System.Text.RegularExpressions;
using SaliencySlider.Deploy.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace SaliencySlider.Deploy.Tests;

/// <summary>docker-compose.yml: valid against the Compose Specification and wired as the README promises.</summary>
public partial class ComposeFileTests
{
    private static readonly Lazy<string> Text = new(() => File.ReadAllText(RepositoryPaths.Combine("docker-compose.yml")));

    private static YamlMappingNode Compose => YamlNodes.LoadDocuments(Text.Value).Single();

    private static YamlMappingNode Service(string name) => Compose.Mapping("services", name);

    [Fact]
    public void The_file_passes_the_Compose_Specification_schema()
    {
        var result = ManifestValidator.Validate("compose", Text.Value);

        Assert.True(result.ExitCode == 0, result.Describe());
    }

    [Fact]
    public void The_schema_check_rejects_a_broken_file()
    {
        var result = ManifestValidator.Validate("compose", Text.Value.Replace("interval: 5s", "interval: soon", StringComparison.Ordinal));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("/services/redis/healthcheck/interval", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_variable_has_a_default_so_a_bare_docker_compose_up_works()
    {
        var withoutDefault = VariableReference().Matches(Text.Value)
            .Where(match => !match.Groups["default"].Success)
            .Select(match => match.Value)
            .ToList();

        Assert.Empty(withoutDefault);
    }

    [Fact]
    public void Redis_appends_to_a_file_on_a_named_volume()
    {
        var redis = Service("redis");
        var command = redis.Scalars("command").ToList();

        Assert.Equal("yes", command[command.IndexOf("--appendonly") + 1]);
        Assert.Contains("redis-data:/data", redis.Scalars("volumes"));
        Assert.NotNull(Compose.Find("volumes", "redis-data"));
        Assert.NotNull(redis.Find("healthcheck", "test"));
    }

    [Fact]
    public void The_gateway_publishes_the_HTTP_and_gRPC_ports()
    {
        var gateway = Service("gateway");
        var ports = gateway.Scalars("ports");

        Assert.Contains($"{AppSettings.Gateway("Gateway:HttpPort")}:{AppSettings.Gateway("Gateway:HttpPort")}", ports);
        Assert.Contains($"{AppSettings.Gateway("Gateway:GrpcPort")}:{AppSettings.Gateway("Gateway:GrpcPort")}", ports);
        Assert.Equal("${REDIS_CONFIGURATION:-redis:6379}", gateway.Scalar("environment", "Redis__Configuration"));
    }

    [Fact]
    public void The_default_worker_is_the_cpu_target_with_configurable_replicas()
    {
        var worker = Service("worker");

        Assert.Null(worker.Find("profiles"));
        Assert.Equal("cpu", worker.Scalar("build", "target"));
        Assert.Matches(@"^\$\{WORKER_REPLICAS:-\d+\}$", worker.Scalar("deploy", "replicas"));
    }

    [Fact]
    public void The_gpu_profile_adds_a_cuda_worker_with_an_NVIDIA_device_reservation()
    {
        var worker = Service("worker-gpu");
        var device = worker.Items("deploy", "resources", "reservations", "devices").Single();

        Assert.Equal(["gpu"], worker.Scalars("profiles"));
        Assert.Equal("cuda", worker.Scalar("build", "target"));
        Assert.Equal("nvidia", device.Scalar("driver"));
        Assert.Contains("gpu", device.Scalars("capabilities"));
        // The CPU worker's settings, but 8 jobs at once: a GPU job is bound by its CPU side (docs/GPU-CHECKS.md).
        Assert.Equal("${GPU_WORKER_CONCURRENCY:-8}", worker.Scalar("environment", "Worker__Concurrency"));
        Assert.Equal(Settings(Service("worker")).Remove("Worker__Concurrency"), Settings(worker).Remove("Worker__Concurrency"));
    }

    private static ImmutableSortedDictionary<string, string?> Settings(YamlMappingNode service) =>
        service.Mapping("environment").Children.ToImmutableSortedDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value, StringComparer.Ordinal);

    [Fact]
    public void Every_build_names_an_existing_Dockerfile_and_target()
    {
        foreach (var (name, service) in Compose.Mapping("services").Children)
        {
            if (service.Find("build") is not YamlMappingNode build)
            {
                continue;
            }

            var dockerfilePath = Path.Combine(build.Scalar("context")!, build.Scalar("dockerfile")!);
            Assert.True(File.Exists(RepositoryPaths.Combine(dockerfilePath)), $"{name}: {dockerfilePath}");
            var target = build.Scalar("target");
            if (target is not null)
            {
                Assert.Contains(target, Dockerfile.Load(dockerfilePath).Stages.Select(s => s.Name));
            }
        }
    }

    [Fact]
    public void The_services_read_models_from_the_volume_that_fetch_models_fills()
    {
        var models = Service("models");

        Assert.Equal("clients/Cli/Dockerfile", models.Scalar("build", "dockerfile"));
        Assert.Equal(["fetch-models"], models.Scalars("entrypoint"));
        Assert.Equal(["/models"], models.Scalars("command"));
        Assert.Contains("models:/models", models.Scalars("volumes"));
        Assert.Equal("true", models.Scalar("read_only"));
        foreach (var name in new[] { "gateway", "worker", "worker-gpu" })
        {
            Assert.Contains("models:/models:ro", Service(name).Scalars("volumes"));
            Assert.Equal("service_completed_successfully", Service(name).Scalar("depends_on", "models", "condition"));
            Assert.Equal("service_healthy", Service(name).Scalar("depends_on", "redis", "condition"));
            Assert.Equal("/models", Service(name).Scalar("environment", "Models__Directory"));
        }
    }

    [Fact]
    public void The_cluster_profile_joins_six_cluster_nodes_into_three_primaries_with_a_replica_each()
    {
        var nodes = Service("redis-cluster");
        var command = nodes.Scalars("command").ToList();
        var create = Service("redis-cluster-create");

        Assert.Equal(["cluster"], nodes.Scalars("profiles"));
        Assert.Equal("yes", command[command.IndexOf("--cluster-enabled") + 1]);
        Assert.Equal("6", nodes.Scalar("deploy", "replicas"));
        Assert.Equal(["cluster"], create.Scalars("profiles"));
        Assert.Contains("--cluster-replicas 1", create.Scalars("command").Single(), StringComparison.Ordinal);
        Assert.Equal("service_healthy", create.Scalar("depends_on", "redis-cluster", "condition"));
        foreach (var name in new[] { "gateway", "worker", "worker-gpu" })
        {
            // The same Redis and shard count for every service; the defaults are the single Redis.
            Assert.Equal("${REDIS_CONFIGURATION:-redis:6379}", Service(name).Scalar("environment", "Redis__Configuration"));
            Assert.Equal("${QUEUE_SHARDS:-1}", Service(name).Scalar("environment", "Queue__Shards"));
        }
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?<default>:?-[^}]*)?\}")]
    private static partial Regex VariableReference();
}
