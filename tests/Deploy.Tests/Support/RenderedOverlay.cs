using System.Collections.Concurrent;
using YamlDotNet.RepresentationModel;

namespace SaliencySlider.Deploy.Tests.Support;

/// <summary>The objects that `kubectl kustomize` renders for one overlay of deploy/k8s.</summary>
internal sealed class RenderedOverlay
{
    private static readonly ConcurrentDictionary<string, Lazy<RenderedOverlay>> Cache = new();

    private RenderedOverlay(string name, string yaml)
    {
        Name = name;
        Yaml = yaml;
        Objects = YamlNodes.LoadDocuments(yaml);
    }

    public string Name { get; }

    public string Yaml { get; }

    public IReadOnlyList<YamlMappingNode> Objects { get; }

    public static RenderedOverlay Of(string overlay) =>
        Cache.GetOrAdd(overlay, name => new Lazy<RenderedOverlay>(() => Render(name))).Value;

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Objects.Where(o => o.Scalar("kind") == kind);

    public YamlMappingNode Single(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => o.Scalar("metadata", "name") == name)
        ?? throw new KeyNotFoundException($"{Name}: no {kind} named {name}.");

    /// <summary>The data of the generated ConfigMap whose name starts with <paramref name="generatorName"/>.</summary>
    public IReadOnlyDictionary<string, string> ConfigMapData(string generatorName)
    {
        var configMap = OfKind("ConfigMap").Single(o => o.Scalar("metadata", "name")!.StartsWith(generatorName + "-", StringComparison.Ordinal));
        return configMap.Mapping("data").Children.ToDictionary(
            pair => ((YamlScalarNode)pair.Key).Value!,
            pair => ((YamlScalarNode)pair.Value).Value ?? string.Empty);
    }

    /// <summary>Pod templates of every workload, with the workload's kind and name.</summary>
    public IEnumerable<(string Workload, YamlMappingNode PodSpec, YamlMappingNode Template)> PodTemplates() =>
        Objects
            .Where(o => o.Scalar("kind") is "Deployment" or "StatefulSet" or "DaemonSet" or "Job")
            .Select(o => ($"{o.Scalar("kind")}/{o.Scalar("metadata", "name")}", o.Mapping("spec", "template", "spec"), o.Mapping("spec", "template")));

    private static RenderedOverlay Render(string overlay)
    {
        var kubectl = ExternalCommand.Require(
            "kubectl", "install kubectl (Debian/Ubuntu: apt-get install kubectl from the Kubernetes apt repository).");
        var result = ExternalCommand.Run(kubectl, ["kustomize", RepositoryPaths.Combine($"deploy/k8s/overlays/{overlay}")]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize overlays/{overlay} failed: {result.Describe()}");
        }

        return new RenderedOverlay(overlay, result.StandardOutput);
    }
}
