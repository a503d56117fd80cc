using System.Diagnostics;
using System.Globalization;
using System.Text;
using SaliencySlider.EngineBench;
using SaliencySlider.LoadGen;

var options = LoadOptions.Parse(args);
var images = new DistinctImages(options.ImagesDirectory);
var coldStarts = new List<ColdStartRun>();
var redis = new RedisProfile();
LoadReport? report;
try
{
    report = await RunAsync();
}
catch (BenchmarkFailedException e)
{
    Console.Error.WriteLine($"load generator FAILED, no figures written: {e.Message}");
    return 1;
}

if (options.OverheadOnly)
{
    return 0;
}

// --cold-starts 0 measures none, and leaves the document's cold-start block as it is.
if (coldStarts.Count > 0)
{
    var coldStart = ColdStart.Markdown(options, coldStarts);
    Console.WriteLine(coldStart);
    if (options.Document is not null)
    {
        MarkdownSection.Replace(options.Document, "coldstart", coldStart);
    }
}
if (report is null)
{
    return 0;
}

var markdown = report.Markdown();
var profile = redis.Markdown(options);
Console.WriteLine(markdown);
Console.WriteLine(profile);
if (options.Document is not null)
{
    MarkdownSection.Replace(options.Document, "service", markdown);
}
if (options.ScalingDocument is not null)
{
    MarkdownSection.Replace(options.ScalingDocument, "redis", profile);
}
return 0;

// Null when only the cold starts (--cold-start-only) or the service's overhead (--overhead-only) were measured.
async Task<LoadReport?> RunAsync()
{
    LoadReport? result = null;
    await using (var services = new ServiceProcesses(options))
    {
        await services.StartRedisAndGatewayAsync();
        result = new LoadReport(options, services.GatewayLimits);
        using var client = new LoadClient(services.GrpcPort);

        // Cold start first: the worker's files are the least warm they will be in this run.
        var models = await client.ListModelsAsync();
        for (var i = 0; i < options.ColdStarts; i++)
        {
            coldStarts.Add(await ColdStart.MeasureAsync(services, client, images, models));
        }
        if (options.ColdStartOnly)
        {
            return null;
        }

        // One worker using both cores, then a second one; each worker process pins 1 intra-op thread when two
        // share the two cores (see the thread table in the engine section).
        var threads = Math.Max(1, Environment.ProcessorCount);
        var worker = await services.StartWorkerAsync(intraOpThreads: threads);
        await WarmUpAsync(services, client);
        result.SideBySide = await ServiceOverhead.MeasureAsync(options, services, client, images, options.SideBySidePairs, threads);
        services.ThrowIfExited();
        if (options.OverheadOnly)
        {
            var overhead = new StringBuilder();
            ServiceOverhead.AppendMarkdown(overhead, result.SideBySide);
            Console.WriteLine(overhead);
            return null;
        }
        result.Phases.Add(await PhaseAsync("1 worker (intra-op threads = cores), 1 client: no queueing", services, client, Math.Max(4, options.Jobs / 4), 1));
        var loaded = await redis.MeasureMemoryAsync(services,
            () => redis.MeasureAsync(services, "new job (submitted, computed, streamed once by its submitter; " + options.Clients + " clients at once)", options.Jobs,
                () => PhaseAsync("1 worker (intra-op threads = cores)", services, client, options.Jobs, options.Clients)),
            phase => [.. phase.Jobs.Select(j => j.JobId)]);
        result.Phases.Add(loaded);
        var steadyRate = 0.8 * loaded.JobsPerSecond;
        result.Phases.Add(await MeasurePhaseAsync(SteadyLoad.Name(steadyRate, loaded.JobsPerSecond), services,
            () => SteadyLoad.RunAsync(client, images, steadyRate, options.Jobs * 2), options.Jobs * 2));
        result.WorkerPeakRss.Add(("1 worker, intra-op threads = cores, one job at a time: the first three phases", services.PeakRssMiB(worker.Name)));
    }

    await using (var services = new ServiceProcesses(options))
    {
        await services.StartRedisAndGatewayAsync();
        using var client = new LoadClient(services.GrpcPort);
        await services.StartWorkerAsync(intraOpThreads: 1);
        await WarmUpAsync(services, client);
        result.Phases.Add(await PhaseAsync("1 worker (1 intra-op thread)", services, client, options.Jobs, options.Clients));
        await services.StartWorkerAsync(intraOpThreads: 1);
        result.Phases.Add(await PhaseAsync("2 workers (1 intra-op thread each)", services, client, options.Jobs, options.Clients));
        result.WorkerPeakRss.Add(("1 intra-op thread, one job at a time: the larger of the two workers", services.WorkerNames.Max(services.PeakRssMiB)));

        // Cache hits: one finished job's image submitted again and again, one client at a time.
        var original = images.Next();
        Succeeded("cache hit's original job", [await client.ExplainAsync(original)]);
        result.CacheHits = Succeeded("cache hits", await redis.MeasureAsync(services, "cache hit (a finished job's image submitted again, streamed once)", options.CacheHits, async () =>
        {
            var cached = new List<JobTimings>();
            for (var i = 0; i < options.CacheHits; i++)
            {
                cached.Add(await client.ExplainAsync(original));
            }
            return cached;
        }));

        // Many concurrent clients streaming finished jobs from one gateway.
        var finished = result.Phases.TakeLast(2).SelectMany(p => p.Jobs).Select(j => j.JobId).ToArray();
        var streams = await redis.MeasureAsync(services, "another viewer of a finished job (StreamFrames only, " + options.Streamers + " at once)", options.Streamers, async () =>
        {
            var clock = Stopwatch.StartNew();
            var results = await Task.WhenAll(Enumerable.Range(0, options.Streamers).Select(i => client.StreamAsync(finished[i % finished.Length])));
            return (Succeeded("streaming clients", results), clock.Elapsed.TotalMilliseconds);
        });
        result.Streaming = streams;
        result.GatewayPeakRssMiB = services.PeakRssMiB("gateway");
        services.ThrowIfExited();
    }
    return result;
}

static IReadOnlyList<JobTimings> Succeeded(string what, IReadOnlyList<JobTimings> jobs)
{
    var failed = jobs.Where(j => j.Error is not null).ToList();
    return failed.Count == 0
        ? jobs
        : throw new BenchmarkFailedException($"{what}: {failed.Count} of {jobs.Count} failed; first error: {failed[0].Error}");
}

async Task WarmUpAsync(ServiceProcesses services, LoadClient client)
{
    Succeeded("warm-up jobs", await RunJobsAsync(client, options.WarmUpJobs, 1));
    services.ThrowIfExited();
}

async Task<IReadOnlyList<JobTimings>> RunJobsAsync(LoadClient client, int jobs, int concurrency)
{
    var results = new System.Collections.Concurrent.ConcurrentBag<JobTimings>();
    await Parallel.ForEachAsync(Enumerable.Range(0, jobs), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, _) =>
        results.Add(await client.ExplainAsync(images.Next())));
    return [.. results];
}

Task<LoadPhase> PhaseAsync(string name, ServiceProcesses services, LoadClient client, int jobs, int concurrency) =>
    MeasurePhaseAsync(name, services, () => RunJobsAsync(client, jobs, concurrency), jobs);

async Task<LoadPhase> MeasurePhaseAsync(string name, ServiceProcesses services, Func<Task<IReadOnlyList<JobTimings>>> run, int jobs)
{
    var cpu = services.CpuSeconds();
    var clock = Stopwatch.StartNew();
    var results = await run();
    var wallMs = clock.Elapsed.TotalMilliseconds;
    var after = services.CpuSeconds();
    var phase = new LoadPhase(name, results, wallMs, (after.Workers - cpu.Workers) / jobs, (after.All - cpu.All) / jobs);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {phase.JobsPerSecond:F2} jobs/s, first frame p50 {phase.FirstFrame(0.5):F0} ms, complete p50 {phase.Complete(0.5):F0} ms, errors {phase.Errors}"));
    Succeeded($"phase \"{name}\"", results);
    return phase;
}
