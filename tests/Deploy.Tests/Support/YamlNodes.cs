using YamlDotNet.RepresentationModel;

namespace SaliencySlider.Deploy.Tests.Support;

/// <summary>Navigation over YamlDotNet's representation model.</summary>
internal static class YamlNodes
{
    public static IReadOnlyList<YamlMappingNode> LoadDocuments(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var roots = stream.Documents.Select(document => document.RootNode).ToList();
        roots.ForEach(ResolveMergeKeys);
        return roots.OfType<YamlMappingNode>().ToList();
    }

    /// <summary>
    /// Replaces each merge key (<c>&lt;&lt;: *anchor</c>) with the anchored mapping's entries that the mapping does not
    /// set itself, as Compose reads them (YamlDotNet's MergingParser repeats an overridden key instead).
    /// </summary>
    private static void ResolveMergeKeys(YamlNode node)
    {
        var merge = new YamlScalarNode("<<");
        if (node is YamlMappingNode mapping)
        {
            if (mapping.Children.TryGetValue(merge, out var merged))
            {
                mapping.Children.Remove(merge);
                var sources = merged is YamlSequenceNode list ? list.Children.OfType<YamlMappingNode>() : [(YamlMappingNode)merged];
                foreach (var (key, value) in sources.SelectMany(source => source.Children))
                {
                    mapping.Children.TryAdd(key, value);
                }
            }
            foreach (var child in mapping.Children.Values)
            {
                ResolveMergeKeys(child);
            }
        }
        else if (node is YamlSequenceNode sequence)
        {
            sequence.Children.ToList().ForEach(ResolveMergeKeys);
        }
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
