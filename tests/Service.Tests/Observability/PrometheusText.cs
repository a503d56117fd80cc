using System.Globalization;
using System.Text.RegularExpressions;

namespace SaliencySlider.Service.Tests.Observability;

/// <summary>Reads samples out of a Prometheus text exposition.</summary>
internal sealed partial class PrometheusText(string text)
{
    public string Text => text;

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels contain every <paramref name="labels"/> pair; null when there is none.</summary>
    public double? Value(string metric, params (string Name, string Value)[] labels)
    {
        double? sum = null;
        foreach (Match sample in SampleLine().Matches(text))
        {
            if (sample.Groups["name"].Value != metric)
            {
                continue;
            }

            var sampleLabels = sample.Groups["labels"].Value;
            if (labels.All(l => sampleLabels.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                sum = (sum ?? 0) + double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    public static async Task<PrometheusText> ScrapeAsync(int port)
    {
        using var http = new HttpClient();
        return new PrometheusText(await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"));
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[^ \n]+)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
