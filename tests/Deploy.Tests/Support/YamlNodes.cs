using YamlDotNet.RepresentationModel;

namespace SaliencySlider.Deploy.Tests.Support;

/// <summary>Navigation over YamlDotNet's representation model.</summary>
internal static class YamlNodes
{
    public static IReadOnlyList<YamlMappingNode> LoadDocuments(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents
            .Select(document => document.RootNode)
            .OfType<YamlMappingNode>()
            .ToList();
    }

    public static YamlNode? Find(this YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode mapping
                || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var child))
            {
                return null;
            }

            current = child;
        }

        return current;
    }

    public static YamlMappingNode Mapping(this YamlNode node, params string[] path) =>
        node.Find(path) as YamlMappingNode
        ?? throw new KeyNotFoundException($"No mapping at {string.Join('.', path)}.");

    public static IReadOnlyList<YamlNode> Items(this YamlNode node, params string[] path) =>
        node.Find(path) is YamlSequenceNode sequence ? sequence.Children.ToList() : [];

    public static string? Scalar(this YamlNode node, params string[] path) =>
        (node.Find(path) as YamlScalarNode)?.Value;

    public static IReadOnlyList<string> Scalars(this YamlNode node, params string[] path) =>
        node.Items(path).OfType<YamlScalarNode>().Select(scalar => scalar.Value ?? string.Empty).ToList();
}
