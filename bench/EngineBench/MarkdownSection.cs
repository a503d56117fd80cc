namespace SaliencySlider.EngineBench;

/// <summary>Replaces the generated part of a document between &lt;!-- bench:NAME:begin --&gt; and &lt;!-- bench:NAME:end --&gt;.</summary>
public static class MarkdownSection
{
    public static void Replace(string path, string name, string content)
    {
        var begin = $"<!-- bench:{name}:begin -->";
        var end = $"<!-- bench:{name}:end -->";
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = text.IndexOf(end, StringComparison.Ordinal);
        var section = $"{begin}\n{content.TrimEnd()}\n{end}";
        text = start >= 0 && stop > start
            ? text[..start] + section + text[(stop + end.Length)..]
            : text.TrimEnd() + "\n\n" + section + "\n";
        File.WriteAllText(path, text);
    }
}
