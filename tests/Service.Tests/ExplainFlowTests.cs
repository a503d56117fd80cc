using Google.Protobuf;
using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Models;
using SaliencySlider.Service.Tests.Infrastructure;
using static SaliencySlider.Service.Tests.Infrastructure.EventAssertions;

namespace SaliencySlider.Service.Tests;

/// <summary>Submit → worker → StreamFrames, with one real worker against the real Redis.</summary>
public sealed class ExplainFlowTests(WorkerStack fixture) : IClassFixture<WorkerStack>
{
    private const int FrameCount = 9;

    /// <summary>The iNaturalist models' Grad-CAM layer: the last ReLU6 (Conv_1), named as in the converted TFLite graph.</summary>
    private const string INaturalistLayer = "MobilenetV2/Conv_1/Relu6;MobilenetV2/Conv_1/add_fold;MobilenetV2/Conv_1/Conv2D_Fold;MobilenetV2/Conv_1/BatchNorm_Fold/bias";
    private readonly ServiceStack _stack = fixture.Stack;

    private static ExplainOptions Options => new() { FrameCount = FrameCount, MaxFrameSide = 128 };

    private static SubmitRequest Request(byte[] image) => new() { Image = ByteString.CopyFrom(image), Options = Options };

    [Fact]
    public async Task Chelsea_streams_explanation_then_every_frame_coarse_to_fine_then_completed_and_GetJob_agrees()
    {
        var submitted = await _stack.Client.SubmitAsync(Request(TestImages.Read("chelsea.png")), _stack.Deadline());
        Assert.False(submitted.Cached);
        Assert.Equal(JobState.Queued, submitted.State);

        var events = await _stack.StreamAllAsync(submitted.JobId);

        var frames = AssertCompleteJob(events, submitted.JobId, FrameCount);
        AssertCoarseToFine(frames);
        var explanation = events[2].Explanation;
        Assert.True(IsCatClass(explanation.Prediction.Top[0].Index), $"top-1 is {explanation.Prediction.Top[0].Label}");
        Assert.NotEmpty(explanation.HeatmapPng);
        Assert.Equal(explanation.CamWidth * explanation.CamHeight, explanation.Cam.Count);
        Assert.Equal("MobilenetV2/Conv_1/Relu6", explanation.Layer);
        Assert.All(frames, f => Assert.Equal("image/jpeg", f.MimeType));
        Assert.All(frames, f => Assert.True(Math.Max(f.Width, f.Height) <= 128));
        var completed = events[^1].Completed;
        Assert.InRange(completed.InsertionAuc, 0f, 1f);
        Assert.True(completed.Timings.TotalMs > 0);

        var job = (await _stack.Client.GetJobAsync(new GetJobRequest { JobId = submitted.JobId }, _stack.Deadline())).Job;
        Assert.Equal(JobState.Done, job.State);
        Assert.Equal(FrameCount, job.FrameCount);
        Assert.Equal(FrameCount, job.FramesReady);
        Assert.Equal(1, job.Attempts);
        Assert.Equal("", job.Error);
        Assert.Equal("mobilenet_v2_1.0_224", job.Model);
        Assert.Equal(explanation.Prediction, job.Prediction);
        Assert.Equal(completed.Timings, job.Timings);
        Assert.Equal(FrameCount, job.Options.FrameCount);
        Assert.Equal(CamMethod.GradCam, job.Options.Method);
    }

    [Fact]
    public async Task A_ScoreCam_job_streams_its_scoring_progress_before_the_explanation_and_completes()
    {
        var request = Request(TestImages.Cropped("chelsea.png", 5));
        request.Options.Method = CamMethod.ScoreCam;
        request.Options.ScoreCamChannels = 24;
        var submitted = await _stack.Client.SubmitAsync(request, _stack.Deadline());

        var events = await _stack.StreamAllAsync(submitted.JobId);

        // Queued, running, progress 0 of 24 then after each run of masked inputs, the explanation, the frames, completed.
        var progress = events.Skip(2).TakeWhile(e => e.EventCase == JobEvent.EventOneofCase.Progress).Select(e => e.Progress).ToList();
        Assert.True(progress.Count >= 2, $"expected progress events after RUNNING: {Describe(events)}");
        Assert.All(progress, p => Assert.Equal((ProgressStage.ScoringChannels, 24), (p.Stage, p.Total)));
        Assert.Equal(0, progress[0].Done);
        Assert.Equal(24, progress[^1].Done);
        Assert.Equal(progress.Select(p => p.Done).Order(), progress.Select(p => p.Done));
        var withoutProgress = events.Where(e => e.EventCase != JobEvent.EventOneofCase.Progress).ToList();
        AssertCompleteJob(withoutProgress, submitted.JobId, FrameCount);
        Assert.Equal("scorecam", withoutProgress[2].Explanation.Method);
        Assert.Contains(withoutProgress[2].Explanation.Cam, v => v > 0);

        var job = (await _stack.Client.GetJobAsync(new GetJobRequest { JobId = submitted.JobId }, _stack.Deadline())).Job;
        Assert.Equal(JobState.Done, job.State);
        Assert.Equal((CamMethod.ScoreCam, 24), (job.Options.Method, job.Options.ScoreCamChannels));
    }

    [Fact]
    public async Task The_same_image_again_is_cached_runs_nothing_and_replays_every_event()
    {
        var request = Request(TestImages.Cropped("chelsea.png", 3));
        var first = await _stack.Client.SubmitAsync(request, _stack.Deadline());
        var firstEvents = await _stack.StreamAllAsync(first.JobId);
        AssertCompleteJob(firstEvents, first.JobId, FrameCount);
        var runsBefore = fixture.Worker.Metrics.JobsStarted;

        // Zero-valued options mean the defaults, so spelling the defaults out is the same job.
        var again = request.Clone();
        again.Options.Method = CamMethod.GradCam;
        again.Options.TopK = 5;
        var second = await _stack.Client.SubmitAsync(again, _stack.Deadline());

        Assert.True(second.Cached);
        Assert.Equal(first.JobId, second.JobId);
        Assert.Equal(JobState.Done, second.State);
        var replayed = await _stack.StreamAllAsync(second.JobId);
        Assert.Equal(firstEvents, replayed);
        Assert.Equal(runsBefore, fixture.Worker.Metrics.JobsStarted);
        var job = (await _stack.Client.GetJobAsync(new GetJobRequest { JobId = first.JobId }, _stack.Deadline())).Job;
        Assert.Equal(1, job.Attempts);
    }

    [Fact]
    public async Task Explain_submits_and_streams_in_one_call_starting_with_the_job_id()
    {
        var image = TestImages.Cropped("coffee.png", 2);
        using var call = _stack.Client.Explain(new ExplainRequest { Image = ByteString.CopyFrom(image), Options = Options }, _stack.Deadline());
        var events = await ServiceStack.ReadAllAsync(call.ResponseStream.Events());

        Assert.Equal(JobEvent.EventOneofCase.Status, events[0].EventCase);
        var jobId = events[0].Status.JobId;
        Assert.Matches("^[0-9a-f]{64}$", jobId);
        AssertCompleteJob(events, jobId, FrameCount);
        Assert.Equal(967, events[2].Explanation.Prediction.Top[0].Index); // espresso

        // An ExplainRequest is the same job as a SubmitRequest with the same fields.
        var submitted = await _stack.Client.SubmitAsync(Request(image), _stack.Deadline());
        Assert.Equal((jobId, true), (submitted.JobId, submitted.Cached));
    }

    [Fact]
    public async Task ListModels_reports_the_three_served_models_with_their_descriptions_and_the_workers_execution_provider()
    {
        var response = await _stack.Client.ListModelsAsync(new ListModelsRequest(), _stack.Deadline());

        Assert.Equal(["inat-bird", "inat-insect", "mobilenet_v2_1.0_224"], response.Models.Select(m => m.Name));
        Assert.Equal(["mobilenet_v2_1.0_224"], response.Models.Where(m => m.IsDefault).Select(m => m.Name));
        Assert.Equal([965, 1022, 1000], response.Models.Select(m => m.Classes));
        Assert.All(response.Models, m => Assert.Equal((224, 224, "CPU"), (m.InputWidth, m.InputHeight, m.ExecutionProvider)));
        // Each model's one-line description is its manifest's.
        Assert.Equal(
            new[] { "inat_bird.json", "inat_insect.json", "mobilenet_v2_1.0_224.json" }.Select(f => ModelManifest.Load(Path.Combine(RepoPaths.ManifestDirectory, f)).Description),
            response.Models.Select(m => m.Description));
        Assert.All(response.Models, m => Assert.False(string.IsNullOrWhiteSpace(m.Description) || m.Description.Contains('\n'), $"{m.Name}: '{m.Description}'"));
        Assert.Equal([INaturalistLayer, INaturalistLayer, "MobilenetV2/Conv_1/Relu6"], response.Models.Select(m => m.DefaultLayer));
    }

    [Theory]
    [InlineData("inat-bird", "bird.bmp", "Poecile atricapillus (Black-capped Chickadee)")]
    [InlineData("inat-bird", "eagle.jpg", "Haliaeetus leucocephalus (Bald Eagle)")]
    [InlineData("inat-insect", "dragonfly.bmp", "Micrathyria hagenii (Thornbush Dasher)")]
    public async Task Explain_with_an_iNaturalist_model_names_the_species_and_GetJob_records_the_model(string model, string photo, string species)
    {
        var request = new ExplainRequest { Image = ByteString.CopyFrom(TestImages.Read(photo)), Model = model, Options = Options };

        using var call = _stack.Client.Explain(request, _stack.Deadline());
        var events = await ServiceStack.ReadAllAsync(call.ResponseStream.Events());

        var jobId = events[0].Status.JobId;
        AssertCompleteJob(events, jobId, FrameCount);
        var explanation = events[2].Explanation;
        Assert.Equal(species, explanation.Prediction.Top[0].Label);
        Assert.Equal(species, explanation.Prediction.TargetLabel);
        Assert.Equal(INaturalistLayer, explanation.Layer);
        var job = (await _stack.Client.GetJobAsync(new GetJobRequest { JobId = jobId }, _stack.Deadline())).Job;
        Assert.Equal((JobState.Done, model), (job.State, job.Model));
    }

    [Fact]
    public async Task A_target_layer_that_is_no_grid_is_refused_at_Submit_once_a_worker_has_published_the_shapes()
    {
        // The Reshape before the logits' Slice is float and lies between the input and the logits, so the graph's
        // structure accepts it; only its shape [1, 1001], which the worker measured when it loaded the model, refuses it.
        var queuedBefore = await _stack.Redis.StreamLengthAsync(_stack.QueueStream);
        var request = Request(TestImages.Read("chelsea.png"));
        request.Options.TargetLayer = "logits_1001";

        var error = await Assert.ThrowsAsync<RpcException>(() => _stack.Client.SubmitAsync(request, _stack.Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(
            "target_layer 'logits_1001' cannot be explained on model 'mobilenet_v2_1.0_224': cannot explain target layer 'logits_1001' (per-image shape [1001]): a target layer must be",
            error.Status.Detail);
        Assert.Contains("layers you can explain with CAM_METHOD_GRAD_CAM include: MobilenetV2/Conv_1/Relu6 (default)", error.Status.Detail);
        Assert.Equal(queuedBefore, await _stack.Redis.StreamLengthAsync(_stack.QueueStream));
    }
}
