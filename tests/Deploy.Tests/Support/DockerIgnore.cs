using System.Text;
using System.Text.RegularExpressions;

namespace SaliencySlider.Deploy.Tests.Support;

/// <summary>
/// A .dockerignore file with Docker's matching rules: patterns are matched against a path and
/// each of its parent directories, `**` spans directories, `!` re-includes, the last match wins.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly IReadOnlyList<(Regex Pattern, bool Include)> _patterns;

    private DockerIgnore(IReadOnlyList<(Regex, bool)> patterns) => _patterns = patterns;

    public static DockerIgnore Load(string relativePath) =>
        Parse(File.ReadAllText(RepositoryPaths.Combine(relativePath)));

    public static DockerIgnore Parse(string text) =>
        new(text.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.StartsWith('!') ? (ToRegex(line[1..]), true) : (ToRegex(line), false))
            .ToList());

    /// <summary>Whether a path relative to the context root (with '/') is sent to the builder.</summary>
    public bool IsIncluded(string path)
    {
        var candidates = ParentsAndSelf(path.Trim('/')).ToList();
        var included = true;
        foreach (var (pattern, include) in _patterns)
        {
            if (candidates.Any(candidate => pattern.IsMatch(candidate)))
            {
                included = include;
            }
        }

        return included;
    }

    private static IEnumerable<string> ParentsAndSelf(string path)
    {
        var parts = path.Split('/');
        for (var count = 1; count <= parts.Length; count++)
        {
            yield return string.Join('/', parts[..count]);
        }
    }

    private static Regex ToRegex(string pattern)
    {
        var cleaned = pattern.Trim().Trim('/');
        var regex = new StringBuilder("^");
        for (var i = 0; i < cleaned.Length; i++)
        {
            var c = cleaned[i];
            if (c == '*' && i + 1 < cleaned.Length && cleaned[i + 1] == '*')
            {
                var followedBySlash = i + 2 < cleaned.Length && cleaned[i + 2] == '/';
                regex.Append(followedBySlash ? "(.*/)?" : ".*");
                i += followedBySlash ? 2 : 1;
            }
            else
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
