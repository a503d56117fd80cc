using SaliencySlider.Deploy.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace SaliencySlider.Deploy.Tests;

/// <summary>The Kustomize overlays of deploy/k8s, rendered by kubectl and checked offline.</summary>
public class KubernetesManifestTests
{
    public static TheoryData<string> Overlays => new() { "cpu", "gpu" };

    /// <summary>Also the overlay on a Redis Cluster (RedisClusterOverlayTests checks the rest of it).</summary>
    public static TheoryData<string> AllOverlays => new() { "cpu", "gpu", "redis-cluster" };

    [Theory]
    [MemberData(nameof(AllOverlays))]
    public void Every_rendered_object_passes_its_Kubernetes_or_KEDA_schema(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);

        var result = ManifestValidator.Validate("k8s", rendered.Yaml);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains($"{rendered.Objects.Count} valid, 0 invalid", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void The_schema_validation_rejects_an_invalid_object()
    {
        var broken = RenderedOverlay.Of("gpu").Yaml.Replace("lagCount: \"4\"", "lagCount: 4", StringComparison.Ordinal);

        var result = ManifestValidator.Validate("k8s", broken);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ScaledObject/worker", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllOverlays))]
    public void Every_container_has_probes_resources_and_a_locked_down_security_context(string overlay)
    {
        var problems = new List<string>();
        foreach (var (workload, podSpec, _) in RenderedOverlay.Of(overlay).PodTemplates())
        {
            var podRunsAsNonRoot = podSpec.Scalar("securityContext", "runAsNonRoot") == "true";
            foreach (var container in podSpec.Items("containers").Concat(podSpec.Items("initContainers")))
            {
                var where = $"{workload} container {container.Scalar("name")}";
                var isInit = podSpec.Items("initContainers").Contains(container);
                if (!isInit && (container.Find("readinessProbe") is null || container.Find("livenessProbe") is null))
                {
                    problems.Add($"{where}: readiness and liveness probes");
                }

                foreach (var resource in new[] { "cpu", "memory" })
                {
                    if (container.Scalar("resources", "limits", resource) is null
                        || container.Scalar("resources", "requests", resource) is null)
                    {
                        problems.Add($"{where}: {resource} request and limit");
                    }
                }

                if (!podRunsAsNonRoot && container.Scalar("securityContext", "runAsNonRoot") != "true")
                {
                    problems.Add($"{where}: runAsNonRoot");
                }

                if (container.Scalar("securityContext", "allowPrivilegeEscalation") != "false")
                {
                    problems.Add($"{where}: allowPrivilegeEscalation false");
                }

                if (container.Scalar("securityContext", "readOnlyRootFilesystem") != "true")
                {
                    problems.Add($"{where}: readOnlyRootFilesystem");
                }

                if (!container.Scalars("securityContext", "capabilities", "drop").Contains("ALL"))
                {
                    problems.Add($"{where}: drops all capabilities");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void The_gpu_overlay_runs_the_cuda_worker_on_one_GPU_on_GPU_nodes()
    {
        var worker = RenderedOverlay.Of("gpu").Single("Deployment", "worker").Mapping("spec", "template", "spec");
        var container = worker.Items("containers").Single();

        Assert.Equal("1", container.Scalar("resources", "limits", "nvidia.com/gpu"));
        Assert.StartsWith("saliency-slider/worker-cuda:", container.Scalar("image"), StringComparison.Ordinal);
        Assert.Contains(worker.Items("tolerations"), t => t.Scalar("key") == "nvidia.com/gpu" && t.Scalar("effect") == "NoSchedule");
        Assert.Equal("true", worker.Scalar("nodeSelector", "nvidia.com/gpu.present"));
        Assert.Equal("Cuda", RenderedOverlay.Of("gpu").ConfigMapData("saliency-config")["Worker__ExecutionProvider"]);
        // A GPU job is bound by its CPU side: several jobs at once per GPU, and the cores to run them (docs/GPU-CHECKS.md).
        Assert.Equal("8", RenderedOverlay.Of("gpu").ConfigMapData("saliency-config")["Worker__Concurrency"]);
        Assert.Equal("8", container.Scalar("resources", "requests", "cpu"));
        Assert.Equal("0", RenderedOverlay.Of("gpu").Single("ScaledObject", "worker").Scalar("spec", "minReplicaCount"));
    }

    [Fact]
    public void The_cpu_overlay_runs_the_cpu_worker_without_GPUs()
    {
        var rendered = RenderedOverlay.Of("cpu");
        var container = rendered.Single("Deployment", "worker").Mapping("spec", "template", "spec").Items("containers").Single();

        Assert.Null(container.Find("resources", "limits", "nvidia.com/gpu"));
        Assert.DoesNotContain("nvidia", rendered.Yaml, StringComparison.Ordinal);
        Assert.StartsWith("saliency-slider/worker:", container.Scalar("image"), StringComparison.Ordinal);
        Assert.Equal("Cpu", rendered.ConfigMapData("saliency-config")["Worker__ExecutionProvider"]);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_ScaledObject_scales_the_worker_Deployment_on_the_lag_of_the_applications_stream_and_group(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var scaledObject = rendered.Single("ScaledObject", "worker");
        var config = rendered.ConfigMapData("saliency-config");
        var trigger = scaledObject.Items("spec", "triggers").Single();

        Assert.Equal("Deployment", scaledObject.Scalar("spec", "scaleTargetRef", "kind") ?? "Deployment");
        Assert.NotNull(rendered.Single("Deployment", scaledObject.Scalar("spec", "scaleTargetRef", "name")!));
        Assert.Equal("worker", scaledObject.Scalar("spec", "scaleTargetRef", "name"));
        Assert.Null(rendered.Single("Deployment", "worker").Find("spec", "replicas"));
        Assert.Equal("redis-streams", trigger.Scalar("type"));

        Assert.Equal(AppSettings.Worker("Queue:Stream"), trigger.Scalar("metadata", "stream"));
        Assert.Equal(AppSettings.Worker("Queue:Stream"), config["Queue__Stream"]);
        Assert.Equal(AppSettings.Worker("Queue:Group"), trigger.Scalar("metadata", "consumerGroup"));
        Assert.Equal(AppSettings.Worker("Queue:Group"), config["Queue__Group"]);
        Assert.Equal(AppSettings.Gateway("Queue:Stream"), config["Queue__Stream"]);

        Assert.True(int.Parse(trigger.Scalar("metadata", "lagCount")!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("0", trigger.Scalar("metadata", "activationLagCount"));
        Assert.Null(trigger.Find("metadata", "pendingEntriesCount"));
        Assert.Null(trigger.Find("metadata", "streamLength"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void KEDA_and_the_services_address_the_rendered_Redis_Service_by_its_cluster_name(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var redis = rendered.Single("Service", "redis");
        var expected = $"redis.{redis.Scalar("metadata", "namespace")}.svc.cluster.local:{redis.Items("spec", "ports").Single().Scalar("port")}";
        var trigger = rendered.Single("ScaledObject", "worker").Items("spec", "triggers").Single();

        Assert.Equal(expected, trigger.Scalar("metadata", "address"));
        Assert.Equal(expected, rendered.ConfigMapData("saliency-config")["Redis__Configuration"]);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_gateway_is_probed_with_native_gRPC_health_checks_on_its_gRPC_port(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var container = rendered.Single("Deployment", "gateway").Mapping("spec", "template", "spec").Items("containers").Single();
        var grpcPort = rendered.ConfigMapData("saliency-config")["Gateway__GrpcPort"];

        Assert.Equal(AppSettings.Gateway("Gateway:GrpcPort"), grpcPort);
        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            Assert.Equal(grpcPort, container.Scalar(probe, "grpc", "port"));
        }

        var ports = container.Items("ports").Select(p => p.Scalar("containerPort")).ToList();
        Assert.Contains(grpcPort, ports);
        Assert.Contains(AppSettings.Gateway("Gateway:HttpPort"), ports);
        var hpa = rendered.Single("HorizontalPodAutoscaler", "gateway");
        Assert.Equal("gateway", hpa.Scalar("spec", "scaleTargetRef", "name"));
        Assert.Contains(hpa.Items("spec", "metrics"), m => m.Scalar("resource", "name") == "cpu");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_worker_is_probed_and_scraped_on_its_metrics_port(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var template = rendered.Single("Deployment", "worker").Mapping("spec", "template");
        var container = template.Items("spec", "containers").Single();
        var metricsPort = rendered.ConfigMapData("saliency-config")["Worker__MetricsPort"];
        var namedPort = container.Items("ports").Single(p => p.Scalar("name") == container.Scalar("readinessProbe", "httpGet", "port"));

        Assert.Equal(metricsPort, namedPort.Scalar("containerPort"));
        Assert.Equal("/healthz", container.Scalar("livenessProbe", "httpGet", "path"));
        Assert.Equal(metricsPort, template.Scalar("metadata", "annotations", "prometheus.io/port"));
        Assert.Equal("/metrics", template.Scalar("metadata", "annotations", "prometheus.io/path"));
        var gateway = rendered.Single("Deployment", "gateway").Mapping("spec", "template");
        Assert.Equal(AppSettings.Gateway("Gateway:HttpPort"), gateway.Scalar("metadata", "annotations", "prometheus.io/port"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Redis_keeps_an_append_only_file_on_a_persistent_volume(string overlay)
    {
        var redis = RenderedOverlay.Of(overlay).Single("StatefulSet", "redis");
        var args = redis.Mapping("spec", "template", "spec").Items("containers").Single().Scalars("args").ToList();

        Assert.Equal("yes", args[args.IndexOf("--appendonly") + 1]);
        Assert.Equal("/data", args[args.IndexOf("--dir") + 1]);
        Assert.Contains(redis.Items("spec", "volumeClaimTemplates"), claim => claim.Scalar("metadata", "name") == "data");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Only_gateway_workers_and_KEDA_may_reach_Redis(string overlay)
    {
        var policy = RenderedOverlay.Of(overlay).OfKind("NetworkPolicy")
            .Single(p => p.Scalar("spec", "podSelector", "matchLabels", "app.kubernetes.io/name") == "redis");
        var peers = policy.Items("spec", "ingress").SelectMany(rule => rule.Items("from")).ToList();
        var podPeer = peers.Single(p => p.Find("namespaceSelector") is null);
        var expression = podPeer.Items("podSelector", "matchExpressions").Single();

        Assert.Contains("Ingress", policy.Scalars("spec", "policyTypes"));
        Assert.Equal("In", expression.Scalar("operator"));
        Assert.Equal(["gateway", "worker"], expression.Scalars("values").Order());
        var kedaPeer = peers.Single(p => p.Find("namespaceSelector") is not null);
        Assert.Equal("keda", kedaPeer.Scalar("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
        Assert.NotNull(kedaPeer.Find("podSelector"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Disruption_budgets_select_the_gateway_and_worker_pods(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        foreach (var name in new[] { "gateway", "worker" })
        {
            var budget = rendered.Single("PodDisruptionBudget", name);
            var podLabels = rendered.Single("Deployment", name).Mapping("spec", "template", "metadata", "labels");
            foreach (var (key, value) in budget.Mapping("spec", "selector", "matchLabels").Children)
            {
                Assert.Equal(((YamlScalarNode)value).Value, podLabels.Scalar(((YamlScalarNode)key).Value!));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_gateway_reads_its_secrets_from_the_Secret_and_the_workers_do_not(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var secret = rendered.Single("Secret", "saliency-secrets");
        var gateway = rendered.Single("Deployment", "gateway").Mapping("spec", "template", "spec").Items("containers").Single();
        var worker = rendered.Single("Deployment", "worker").Mapping("spec", "template", "spec").Items("containers").Single();

        Assert.NotNull(secret.Find("stringData", "Jobs__IdSecret"));
        Assert.NotNull(secret.Find("stringData", "Auth__ApiKeys"));
        Assert.Contains(gateway.Items("envFrom"), e => e.Scalar("secretRef", "name") == "saliency-secrets");
        Assert.DoesNotContain(worker.Items("envFrom"), e => e.Find("secretRef") is not null);
    }

    [Fact]
    public void Behind_the_ingress_the_gateway_believes_X_Forwarded_For_from_private_addresses_only()
    {
        string[] privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];
        var trusted = RenderedOverlay.Of("gpu").ConfigMapData("saliency-config")["Gateway__TrustedProxies"]
            .Split(',', StringSplitOptions.TrimEntries)
            .Select(System.Net.IPNetwork.Parse)
            .ToList();

        Assert.NotEmpty(trusted);
        Assert.All(trusted, network => Assert.Contains(
            privateRanges.Select(System.Net.IPNetwork.Parse),
            range => range.PrefixLength <= network.PrefixLength && range.Contains(network.BaseAddress)));
        Assert.False(RenderedOverlay.Of("cpu").ConfigMapData("saliency-config").ContainsKey("Gateway__TrustedProxies"));
    }

    [Fact]
    public void Behind_the_ingress_only_the_ingress_controller_connects_to_the_gateway_and_Prometheus_only_to_its_HTTP_port()
    {
        var policy = RenderedOverlay.Of("gpu").OfKind("NetworkPolicy")
            .Single(p => p.Scalar("spec", "podSelector", "matchLabels", "app.kubernetes.io/name") == "gateway");
        var rules = policy.Items("spec", "ingress").ToList();
        var controller = rules.Single(rule => rule.Items("from").Single().Find("podSelector") is not null);
        var monitoring = rules.Single(rule => rule.Items("from").Single().Find("podSelector") is null);

        Assert.Contains("Ingress", policy.Scalars("spec", "policyTypes"));
        Assert.Equal(2, rules.Count);
        var controllerPeer = controller.Items("from").Single();
        Assert.Equal("ingress-nginx", controllerPeer.Scalar("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
        Assert.Equal("ingress-nginx", controllerPeer.Scalar("podSelector", "matchLabels", "app.kubernetes.io/name"));
        Assert.Equal(["grpc", "http"], controller.Items("ports").Select(p => p.Scalar("port")).Order());
        Assert.Equal("monitoring", monitoring.Items("from").Single().Scalar("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
        Assert.Equal(["http"], monitoring.Items("ports").Select(p => p.Scalar("port")));
        Assert.DoesNotContain(RenderedOverlay.Of("cpu").OfKind("NetworkPolicy"),
            p => p.Scalar("spec", "podSelector", "matchLabels", "app.kubernetes.io/name") == "gateway");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_pod_that_reads_models_fills_them_with_fetch_models_from_the_CLI_image_as_compose_does(string overlay)
    {
        var pods = RenderedOverlay.Of(overlay).PodTemplates()
            .Where(p => p.PodSpec.Items("containers").Any(ReadsModels))
            .ToList();

        Assert.Equal(["Deployment/gateway", "Deployment/worker"], pods.Select(p => p.Workload).Order());
        foreach (var (workload, podSpec, _) in pods)
        {
            var init = podSpec.Items("initContainers").Single(c => c.Scalar("name") == "fetch-models");
            Assert.StartsWith("saliency-slider/cli:", init.Scalar("image"), StringComparison.Ordinal);
            Assert.Equal(["fetch-models", "/models"], init.Scalars("command"));
            Assert.Contains(init.Items("volumeMounts"), m => m.Scalar("name") == "models" && m.Scalar("mountPath") == "/models" && m.Scalar("readOnly") != "true");
        }

        var cliImage = Dockerfile.Load("clients/Cli/Dockerfile").Stage("runtime");
        Assert.Contains(
            cliImage.All("COPY").Select(Dockerfile.ParseCopy),
            c => c.FromStage is null && c.Sources.SequenceEqual(["scripts/fetch-models"]) && c.Destination == "/usr/local/bin/fetch-models");
    }

    private static bool ReadsModels(YamlNode container) =>
        container.Items("volumeMounts").Any(m => m.Scalar("mountPath") == "/models" && m.Scalar("readOnly") == "true");
}
