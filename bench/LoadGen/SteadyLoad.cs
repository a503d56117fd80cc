using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace SaliencySlider.LoadGen;

/// <summary>
/// An open-loop load: jobs arrive at a fixed rate whether or not earlier ones have finished (as independent users
/// do), so queueing shows in the latency instead of slowing the arrivals down as a closed loop of clients would.
/// </summary>
internal static class SteadyLoad
{
    public static async Task<IReadOnlyList<JobTimings>> RunAsync(LoadClient client, DistinctImages images, double jobsPerSecond, int jobs)
    {
        var interval = TimeSpan.FromSeconds(1 / jobsPerSecond);
        var results = new ConcurrentBag<JobTimings>();
        var running = new List<Task>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < jobs; i++)
        {
            var due = interval * i;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
            var image = images.Next();
            running.Add(Task.Run(async () => results.Add(await client.ExplainAsync(image))));
        }
        await Task.WhenAll(running);
        return [.. results];
    }

    public static string Name(double jobsPerSecond, double capacity) =>
        string.Create(CultureInfo.InvariantCulture, $"steady 80 % load: 1 worker (intra-op threads = cores), open-loop arrivals every {1000 / jobsPerSecond:F0} ms = 0.8 × the {capacity:F2} jobs/s measured above");
}
