using System.Net;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Observability;

/// <summary>/metrics on the gateway's HTTP port and on the worker's metrics port, after real jobs.</summary>
public sealed class MetricsTests(WorkerStack fixture) : IClassFixture<WorkerStack>
{
    private readonly ServiceStack _stack = fixture.Stack;

    [Fact]
    public async Task Gateway_and_worker_expose_queue_job_stage_cache_and_provider_metrics_after_jobs()
    {
        // Two jobs through the one-slot worker: the first one's outcome is counted before the second starts.
        await ObservedJob.RunAsync(_stack, inset: 21);
        await ObservedJob.RunAsync(_stack, inset: 22);
        var gatewayBefore = await PrometheusText.ScrapeAsync(_stack.HttpPort);
        var cached = await _stack.Client.SubmitAsync(ObservedJob.Request(inset: 22), _stack.Deadline());
        Assert.True(cached.Cached);

        var gateway = await PrometheusText.ScrapeAsync(_stack.HttpPort);
        var worker = await PrometheusText.ScrapeAsync(fixture.Worker.MetricsPort);

        Assert.Equal(0, gateway.Value("saliency_queue_lag"));
        // Acknowledging trims the stream to the oldest unacknowledged entry (or the last delivered one).
        Assert.InRange(gateway.Value("saliency_queue_length") ?? -1, 1, 2);
        Assert.InRange(gateway.Value("saliency_queue_pending") ?? -1, 0, 1);
        Assert.Equal(1, gateway.Value("saliency_queue_consumers"));
        Assert.Equal(2, gateway.Value("saliency_gateway_cache_misses_total"));
        Assert.Equal((gatewayBefore.Value("saliency_gateway_cache_hits_total") ?? 0) + 1, gateway.Value("saliency_gateway_cache_hits_total"));
        Assert.Equal(0, gateway.Value("saliency_gateway_streaming_clients"));

        Assert.True(worker.Value("saliency_worker_jobs_total", ("outcome", "completed")) >= 1, worker.Text);
        Assert.True(worker.Value("saliency_worker_frames_total") >= 6, worker.Text);
        Assert.True(worker.Value("saliency_worker_stage_duration_seconds_count", ("stage", "decode")) >= 2, worker.Text);
        Assert.True(worker.Value("saliency_worker_stage_duration_seconds_sum", ("stage", "gradient")) > 0, worker.Text);
        Assert.True(worker.Value("saliency_worker_stage_duration_seconds_count", ("stage", "store")) >= 6, worker.Text);
        Assert.True(worker.Value("saliency_worker_job_duration_seconds_count") >= 1, worker.Text);
        Assert.Equal(1, worker.Value("saliency_worker_execution_provider", ("provider", "CPU")));
    }

    [Fact]
    public async Task Rejected_requests_are_counted_by_status()
    {
        var before = await PrometheusText.ScrapeAsync(_stack.HttpPort);
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await _stack.Client.GetJobAsync(new Contracts.V1.GetJobRequest { JobId = "not-a-job" }, _stack.Deadline()));
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, refused.StatusCode);

        var after = await PrometheusText.ScrapeAsync(_stack.HttpPort);
        var labels = new[] { ("status", "InvalidArgument"), ("method", "GetJob") };
        Assert.Equal((before.Value("saliency_gateway_rejected_requests_total", labels) ?? 0) + 1, after.Value("saliency_gateway_rejected_requests_total", labels));
    }

    [Fact]
    public async Task The_worker_answers_liveness_and_readiness_on_its_metrics_port()
    {
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{fixture.Worker.MetricsPort}/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{fixture.Worker.MetricsPort}/readyz")).StatusCode);
    }
}
