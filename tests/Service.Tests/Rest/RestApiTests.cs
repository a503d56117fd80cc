using System.Text.Json;
using Google.Api;
using Google.Protobuf;
using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;
using static SaliencySlider.Service.Tests.Infrastructure.EventAssertions;

namespace SaliencySlider.Service.Tests.Rest;

/// <summary>Every REST/JSON route against the live gateway and a worker, compared with the same RPC over gRPC.</summary>
public sealed class RestApiTests(WorkerStack fixture) : IClassFixture<WorkerStack>, IDisposable
{
    private const int FrameCount = 5;
    private readonly ServiceStack _stack = fixture.Stack;
    private readonly RestClient _rest = new(fixture.Stack);

    private static SubmitRequest Cat(int inset) => new()
    {
        Image = ByteString.CopyFrom(TestImages.Cropped("chelsea.png", inset)),
        Options = new ExplainOptions { FrameCount = FrameCount, MaxFrameSide = 96 },
    };

    [Fact]
    public async Task Models_jobs_job_and_events_answer_what_the_RPCs_answer()
    {
        var models = await _rest.CallAsync<ListModelsResponse>(HttpMethod.Get, "/v1/models");
        Assert.Equal(await _stack.Client.ListModelsAsync(new ListModelsRequest(), _stack.Deadline()), models);

        var submitted = await _rest.CallAsync<SubmitResponse>(HttpMethod.Post, "/v1/jobs", Cat(21));
        Assert.False(submitted.Cached);
        using var events = await _rest.SendAsync(HttpMethod.Get, $"/v1/jobs/{submitted.JobId}/events");
        var received = await RestClient.LinesAsync<StreamFramesResponse>(events).Select(response => response.Event).ToListAsync();
        AssertCompleteJob(received, submitted.JobId, FrameCount);
        Assert.True(IsCatClass(received[2].Explanation.Prediction.Top[0].Index));
        Assert.Equal(await _stack.StreamAllAsync(submitted.JobId), received);

        var job = await _rest.CallAsync<GetJobResponse>(HttpMethod.Get, $"/v1/jobs/{submitted.JobId}");
        Assert.Equal(JobState.Done, job.Job.State);
        Assert.Equal(FrameCount, job.Job.FramesReady);
        Assert.Equal(await _stack.Client.GetJobAsync(new GetJobRequest { JobId = submitted.JobId }, _stack.Deadline()), job);

        // Content-addressed over either protocol: gRPC finds the job REST submitted.
        var again = await _stack.Client.SubmitAsync(Cat(21), _stack.Deadline());
        Assert.Equal((submitted.JobId, true), (again.JobId, again.Cached));
    }

    [Fact]
    public async Task Explain_streams_the_whole_job_starting_with_its_id()
    {
        var request = Cat(22);
        using var explain = await _rest.SendAsync(HttpMethod.Post, "/v1/explain", new ExplainRequest { Image = request.Image, Options = request.Options });

        var received = await RestClient.LinesAsync<ExplainResponse>(explain).Select(response => response.Event).ToListAsync();

        var jobId = received[0].Status.JobId;
        AssertCompleteJob(received, jobId, FrameCount);
        Assert.Equal((await _stack.Client.SubmitAsync(request, _stack.Deadline())).JobId, jobId);
    }

    [Fact]
    public async Task Errors_answer_the_mapped_HTTP_status_with_the_servers_message()
    {
        var notAnImage = new SubmitRequest { Image = ByteString.CopyFromUtf8("this is not an image") };
        var grpcRefusal = await Assert.ThrowsAsync<RpcException>(() => _stack.Client.SubmitAsync(notAnImage, _stack.Deadline()).ResponseAsync);
        using (var refused = await _rest.SendAsync(HttpMethod.Post, "/v1/jobs", notAnImage))
        {
            Assert.Equal(grpcRefusal.Status.Detail, await RestClient.ErrorAsync(refused, 400, StatusCode.InvalidArgument));
        }

        using (var badOption = await _rest.SendAsync(HttpMethod.Post, "/v1/explain", new ExplainRequest { Image = Cat(23).Image, Options = new ExplainOptions { FrameCount = 500 } }))
        {
            Assert.Contains("frame_count", await RestClient.ErrorAsync(badOption, 400, StatusCode.InvalidArgument), StringComparison.Ordinal);
        }

        using (var malformed = await _rest.SendAsync(HttpMethod.Get, "/v1/jobs/not-a-job"))
        {
            Assert.Contains("job_id 'not-a-job' is malformed", await RestClient.ErrorAsync(malformed, 400, StatusCode.InvalidArgument), StringComparison.Ordinal);
        }

        var unknown = new string('0', 64);
        foreach (var path in new[] { $"/v1/jobs/{unknown}", $"/v1/jobs/{unknown}/events" })
        {
            using var missing = await _rest.SendAsync(HttpMethod.Get, path);
            Assert.Equal($"no job {unknown}: it was never submitted or has expired", await RestClient.ErrorAsync(missing, 404, StatusCode.NotFound));
        }

        using var notJson = await _rest.Http.PostAsync("/v1/jobs", new StringContent("{\"image\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Contains("JSON", await RestClient.ErrorAsync(notJson, 400, StatusCode.InvalidArgument), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1/nothing")]
    [InlineData("GET", "/v1/jobs")]
    [InlineData("DELETE", "/v1/models")]
    [InlineData("POST", "/v1/jobs/abc/events")]
    [InlineData("GET", "/v1/")]
    [InlineData("GET", "/v1/index.html")]
    public async Task A_path_under_v1_that_is_no_route_answers_a_JSON_404_never_the_demo_page(string method, string path)
    {
        using var response = await _rest.SendAsync(new HttpMethod(method), path);

        var message = await RestClient.ErrorAsync(response, 404, StatusCode.NotFound);
        Assert.Equal($"no REST route {method} {path}; the routes are listed in /openapi.json", message);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_route_of_the_contract()
    {
        using var response = await _rest.SendAsync(HttpMethod.Get, "/openapi.json");
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var documented = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => $"{operation.Name.ToUpperInvariant()} {path.Name}"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(ContractRoutes().Order(StringComparer.Ordinal), documented);
        Assert.True(document.RootElement.GetProperty("components").GetProperty("schemas").TryGetProperty("SubmitRequest", out _));

        using var head = await _rest.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/openapi.json"));
        Assert.True(head.IsSuccessStatusCode);
        using var post = await _rest.Http.PostAsync("/openapi.json", null);
        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    /// <summary>"GET /v1/jobs/{jobId}" for each google.api.http option in the contract (OpenAPI names path parameters in lowerCamelCase).</summary>
    private static IEnumerable<string> ContractRoutes()
        => SaliencySliderService.Descriptor.Methods.Select(method =>
        {
            var rule = method.GetOptions().GetExtension(AnnotationsExtensions.Http);
            var (verb, path) = rule.PatternCase switch
            {
                HttpRule.PatternOneofCase.Get => ("GET", rule.Get),
                HttpRule.PatternOneofCase.Post => ("POST", rule.Post),
                _ => throw new InvalidOperationException($"{method.Name}: unexpected binding {rule.PatternCase}"),
            };
            return $"{verb} {path.Replace("{job_id}", "{jobId}", StringComparison.Ordinal)}";
        });

    public void Dispose() => _rest.Dispose();
}
