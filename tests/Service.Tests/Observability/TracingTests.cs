using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using SaliencySlider.Service.Tests.Infrastructure;
using SaliencySlider.Shared.Telemetry;

namespace SaliencySlider.Service.Tests.Observability;

/// <summary>One trace per job: Submit (gateway) → queue → ProcessJob and its stages (worker) → StreamFrames (gateway).</summary>
public sealed class TracingTests(WorkerStack fixture) : IClassFixture<WorkerStack>
{
    [Fact]
    public async Task A_jobs_spans_share_one_trace_across_gateway_queue_worker_and_stream()
    {
        var spans = new List<Activity>();
        var workerSpanEnded = new SpanEndSignal("ProcessJob");
        using (var tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(TelemetryNames.Gateway, TelemetryNames.Worker)
            // As the gateway traces with OTLP on: its request spans are the parents of its own spans.
            .AddAspNetCoreInstrumentation()
            .AddProcessor(workerSpanEnded)
            .AddInMemoryExporter(spans)
            .Build())
        {
            var jobId = await ObservedJob.RunAsync(fixture.Stack, inset: 11);
            await workerSpanEnded.Ended.WaitAsync(TimeSpan.FromSeconds(30));
            tracer.ForceFlush();

            var submit = spans.Single(s => s.DisplayName == "Submit" && (string?)s.GetTagItem(TelemetryNames.JobIdTag) == jobId);
            var trace = spans.Where(s => s.TraceId == submit.TraceId).ToList();
            var names = trace.Select(s => s.DisplayName).ToHashSet();
            foreach (var expected in new[] { "Submit", "ProcessJob", "explain", "decode", "gradient", "cam", "frames", "frames_inference", "render", "store", "StreamFrames" })
            {
                Assert.True(names.Contains(expected), $"no '{expected}' span in the job's trace; it has: {string.Join(", ", names.Order())}");
            }

            var process = trace.Single(s => s.DisplayName == "ProcessJob");
            Assert.Equal(TelemetryNames.Worker, process.Source.Name);
            Assert.Equal(submit.SpanId, process.ParentSpanId);
            Assert.Equal(jobId, process.GetTagItem(TelemetryNames.JobIdTag));
            var stream = trace.Single(s => s.DisplayName == "StreamFrames");
            Assert.Equal(TelemetryNames.Gateway, stream.Source.Name);
            Assert.Equal(jobId, stream.GetTagItem(TelemetryNames.JobIdTag));
            var explain = trace.Single(s => s.DisplayName == "explain");
            Assert.Equal(process.SpanId, explain.ParentSpanId);
            Assert.Equal(explain.SpanId, trace.Single(s => s.DisplayName == "decode").ParentSpanId);
            Assert.All(trace.Where(s => s.DisplayName == "store"), s => Assert.Equal(process.TraceId, s.TraceId));
        }
    }
}
