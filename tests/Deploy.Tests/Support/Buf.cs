namespace SaliencySlider.Deploy.Tests.Support;

/// <summary>
/// Runs the buf CLI that clients/DemoWeb installs (npm package @bufbuild/buf, which DemoWeb's
/// `buf generate` uses too) on the contract workspace: buf.yaml at the repository root, protos/ its
/// module.
/// </summary>
internal static class Buf
{
    /// <summary>The released contract that `buf breaking` compares with (see protos/README.md).</summary>
    public const string Baseline = "protos/releases/saliency-v1.binpb";

    /// <summary>Runs buf with <paramref name="arguments"/> in <paramref name="workspace"/> (default: the repository).</summary>
    public static CommandResult Run(IEnumerable<string> arguments, string? workspace = null)
    {
        var script = RepositoryPaths.Combine("clients/DemoWeb/node_modules/@bufbuild/buf/bin/buf");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"{script} is missing: run `npm ci` in clients/DemoWeb (scripts/test does).");
        }

        var node = ExternalCommand.Require("node", "install Node.js 20 or later.");
        return ExternalCommand.Run(node, [script, .. arguments], workspace ?? RepositoryPaths.Root);
    }

    /// <summary>
    /// A copy of the workspace (buf.yaml and every .proto under protos/, the vendored imports included) in a
    /// new temporary directory, with the contract edited by <paramref name="edit"/>; the caller deletes it.
    /// </summary>
    public static string EditedWorkspace(Func<string, string> edit)
    {
        var workspace = Directory.CreateTempSubdirectory("saliency-buf-").FullName;
        File.Copy(RepositoryPaths.Combine("buf.yaml"), Path.Combine(workspace, "buf.yaml"));
        var protos = RepositoryPaths.Combine("protos");
        foreach (var file in Directory.EnumerateFiles(protos, "*.proto", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(workspace, "protos", Path.GetRelativePath(protos, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        var contract = Path.Combine(workspace, "protos", "saliency", "v1", "saliency.proto");
        var original = File.ReadAllText(contract);
        var edited = edit(original);
        if (edited == original)
        {
            throw new InvalidOperationException("the edit changed nothing: the contract no longer has the text it replaces");
        }

        File.WriteAllText(contract, edited);
        return workspace;
    }
}
