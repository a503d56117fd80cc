using Microsoft.Extensions.Options;
using SaliencySlider.Shared.Configuration;

namespace SaliencySlider.Gateway.Examples;

/// <summary>One photo the demo page offers to try in one click.</summary>
public sealed record ExamplePhoto(string Name, string File, string Url, long Bytes);

/// <summary>
/// The photos in Gateway:ExamplesDirectory that a Submit would accept by name and size (at most <see cref="MaxCount"/>,
/// by file name), read once at start; none when the setting is empty.
/// </summary>
public sealed class ExamplePhotos
{
    public const int MaxCount = 12;

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".png"] = "image/png",
        [".webp"] = "image/webp",
        [".gif"] = "image/gif",
        [".bmp"] = "image/bmp",
    };

    private readonly Dictionary<string, string> _paths = new(StringComparer.Ordinal);

    public ExamplePhotos(IOptions<GatewayOptions> gateway, IOptions<JobOptions> jobs, ILogger<ExamplePhotos> logger)
    {
        var directory = gateway.Value.ExamplesDirectory;
        if (string.IsNullOrEmpty(directory))
        {
            return;
        }

        if (!Directory.Exists(directory))
        {
            logger.LogWarning("Gateway:ExamplesDirectory {Directory} does not exist; the demo page shows no example photos", directory);
            return;
        }

        foreach (var file in new DirectoryInfo(directory).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (ContentTypes.ContainsKey(file.Extension) && file.Length > 0 && file.Length <= jobs.Value.MaxImageBytes && Photos.Count < MaxCount)
            {
                _paths[file.Name] = file.FullName;
                Photos.Add(new ExamplePhoto(Path.GetFileNameWithoutExtension(file.Name), file.Name, "/examples/" + Uri.EscapeDataString(file.Name), file.Length));
            }
        }
    }

    public List<ExamplePhoto> Photos { get; } = [];

    /// <summary>The listed photo's path and content type; null for any other name.</summary>
    public (string Path, string ContentType)? Find(string file)
        => _paths.TryGetValue(file, out var path) ? (path, ContentTypes[System.IO.Path.GetExtension(file)]) : null;
}

/// <summary><c>GET /examples</c> lists the example photos, <c>GET /examples/{file}</c> serves one.</summary>
public static class ExampleEndpoints
{
    public static void MapExamples(this WebApplication app)
    {
        app.MapGet("/examples", (ExamplePhotos examples) => Results.Json(examples.Photos));
        app.MapGet("/examples/{file}", (string file, ExamplePhotos examples)
            => examples.Find(file) is { } photo ? Results.File(photo.Path, photo.ContentType) : Results.NotFound());
    }
}
