using System.Text.Json;
using SaliencySlider.Deploy.Tests.Support;

namespace SaliencySlider.Deploy.Tests;

/// <summary>Values from a service's appsettings.json, by configuration path ("Queue:Stream").</summary>
internal static class AppSettings
{
    public static string Value(string relativePath, string key)
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        using var document = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine(relativePath)), options);
        var element = document.RootElement;
        foreach (var part in key.Split(':'))
        {
            element = element.GetProperty(part);
        }

        return element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
    }

    public static string Worker(string key) => Value("services/ExplainerWorker/appsettings.json", key);

    public static string Gateway(string key) => Value("services/Gateway/appsettings.json", key);
}
