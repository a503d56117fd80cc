namespace SaliencySlider.Deploy.Tests.Support;

/// <summary>Runs deploy/k8s/validate/validate.mjs (offline JSON-schema validation with npm packages).</summary>
internal static class ManifestValidator
{
    public static CommandResult Validate(string mode, string yaml)
    {
        var directory = RepositoryPaths.Combine("deploy/k8s/validate");
        if (!Directory.Exists(Path.Combine(directory, "node_modules")))
        {
            throw new InvalidOperationException(
                $"{directory}/node_modules is missing: run `npm ci` there (scripts/test does).");
        }

        var node = ExternalCommand.Require("node", "install Node.js 20 or later.");
        var file = Path.Combine(Path.GetTempPath(), $"saliency-{mode}-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, yaml);
        try
        {
            return ExternalCommand.Run(node, [Path.Combine(directory, "validate.mjs"), mode, file], directory);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
