using System.Text.Json;
using System.Text.RegularExpressions;

namespace SaliencySlider.Deploy.Tests.Support;

internal sealed record DockerInstruction(string Keyword, string Arguments);

/// <summary>A build stage: FROM image [AS name] and the instructions that follow it.</summary>
internal sealed record DockerStage(string Image, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<DockerInstruction> All(string keyword) =>
        Instructions.Where(i => i.Keyword.Equals(keyword, StringComparison.OrdinalIgnoreCase));

    /// <summary>The default value of an ARG declared in this stage.</summary>
    public string? ArgDefault(string name) =>
        All("ARG").Select(i => Dockerfile.SplitAssignment(i.Arguments))
            .Where(pair => pair.Name == name)
            .Select(pair => pair.Value)
            .FirstOrDefault();
}

/// <summary>A COPY or ADD: its sources (relative to the build context or to --from) and flags.</summary>
internal sealed record DockerCopy(string? FromStage, IReadOnlyList<string> Sources, string Destination);

/// <summary>A parsed Dockerfile: global ARGs and stages (continuations joined, comments dropped).</summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyDictionary<string, string> globalArgs, IReadOnlyList<DockerStage> stages)
    {
        GlobalArgs = globalArgs;
        Stages = stages;
    }

    public IReadOnlyDictionary<string, string> GlobalArgs { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage Stage(string name) =>
        Stages.SingleOrDefault(s => s.Name == name) ?? throw new KeyNotFoundException($"No stage named {name}.");

    public static Dockerfile Load(string relativePath) => Parse(File.ReadAllText(RepositoryPaths.Combine(relativePath)));

    public static Dockerfile Parse(string text)
    {
        var globalArgs = new Dictionary<string, string>();
        var stages = new List<DockerStage>();
        string? image = null;
        string? name = null;
        var instructions = new List<DockerInstruction>();
        foreach (var instruction in Instructions(text))
        {
            if (instruction.Keyword == "FROM")
            {
                if (image is not null)
                {
                    stages.Add(new DockerStage(image, name, instructions));
                }

                var words = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Where(word => !word.StartsWith("--", StringComparison.Ordinal)).ToArray();
                image = Substitute(words[0], globalArgs);
                name = words.Length >= 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null;
                instructions = [];
            }
            else if (image is null && instruction.Keyword == "ARG")
            {
                var (argName, value) = SplitAssignment(instruction.Arguments);
                globalArgs[argName] = value ?? string.Empty;
            }
            else if (image is not null)
            {
                instructions.Add(instruction);
            }
        }

        if (image is not null)
        {
            stages.Add(new DockerStage(image, name, instructions));
        }

        return new Dockerfile(globalArgs, stages);
    }

    public static DockerCopy ParseCopy(DockerInstruction instruction)
    {
        var arguments = instruction.Arguments.Trim();
        string? fromStage = null;
        while (arguments.StartsWith("--", StringComparison.Ordinal))
        {
            var end = arguments.IndexOf(' ', StringComparison.Ordinal);
            var flag = arguments[..end];
            if (flag.StartsWith("--from=", StringComparison.Ordinal))
            {
                fromStage = flag["--from=".Length..];
            }

            arguments = arguments[end..].TrimStart();
        }

        var paths = arguments.StartsWith('[')
            ? JsonSerializer.Deserialize<string[]>(arguments)!
            : arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new DockerCopy(fromStage, paths[..^1], paths[^1]);
    }

    public static (string Name, string? Value) SplitAssignment(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (text.Trim(), null) : (text[..equals].Trim(), text[(equals + 1)..].Trim().Trim('"'));
    }

    private static string Substitute(string text, IReadOnlyDictionary<string, string> args) =>
        VariableReference().Replace(text, match =>
            args.TryGetValue(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value, out var value)
                ? value
                : match.Value);

    private static IEnumerable<DockerInstruction> Instructions(string text)
    {
        var logical = string.Empty;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                logical += line[..^1] + " ";
                continue;
            }

            logical += line;
            if (!string.IsNullOrWhiteSpace(logical))
            {
                var trimmed = logical.Trim();
                var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
                yield return space < 0
                    ? new DockerInstruction(trimmed.ToUpperInvariant(), string.Empty)
                    : new DockerInstruction(trimmed[..space].ToUpperInvariant(), trimmed[(space + 1)..].Trim());
            }

            logical = string.Empty;
        }
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex VariableReference();
}
