namespace SaliencySlider.Cli.Tests.Support;

/// <summary>
/// The served model set as scripts/fetch-models pins it (one line per file: sha256, file, recipe, public source,
/// source sha256, recipe arguments), read from the script so the hashes and fingerprints live in one place.
/// </summary>
public static class ModelSetTable
{
    public sealed record Line(string Sha256, string File, string Recipe, string Url, string SourceSha256, IReadOnlyList<string> Arguments)
    {
        /// <summary>The file name of the public source (the last part of its URL).</summary>
        public string SourceName => Url[(Url.LastIndexOf('/') + 1)..];

        public string? Argument(string option)
        {
            var index = Arguments.ToList().IndexOf(option);
            return index >= 0 && index + 1 < Arguments.Count ? Arguments[index + 1] : null;
        }
    }

    public static IReadOnlyList<Line> Lines { get; } = Read();

    public static Line For(string file) => Lines.Single(l => l.File == file);

    private static List<Line> Read()
    {
        var lines = new List<Line>();
        foreach (var text in File.ReadAllLines(RepositoryPaths.Combine("scripts/fetch-models")))
        {
            var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[0].Length == 64 && fields[0].All(Uri.IsHexDigit))
            {
                lines.Add(new Line(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5..]));
            }
        }
        return lines;
    }
}
