using System.Collections.Concurrent;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Slider;
using SaliencySlider.Engine.Tests.Support;

namespace SaliencySlider.Engine.Tests.Explaining;

/// <summary>The job loop overlaps the next run of frames with rendering and consuming the current one.</summary>
public class PipeliningTests(MobileNetFixture fixture) : IClassFixture<MobileNetFixture>
{
    private const int FrameCount = 9;
    private static readonly TimeSpan SignalTimeout = TimeSpan.FromSeconds(60);
    private static readonly ExplainSettings Settings = new() { FrameCount = FrameCount, MaxFrameSide = 64 };

    [Fact]
    public async Task The_next_run_is_inferred_while_the_consumer_still_holds_the_first_frame()
    {
        var runs = new ConcurrentQueue<int[]>();
        var secondRunStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var explainer = new Explainer(fixture.Model, new ExplainerOptions
        {
            FirstChunkFrames = 2,
            MaxImagesPerRun = 2,
            FrameRunStarting = frames =>
            {
                runs.Enqueue([.. frames]);
                if (runs.Count == 2)
                {
                    secondRunStarted.TrySetResult();
                }
            },
        });

        var frames = new List<SliderFrame>();
        await foreach (var e in explainer.ExplainAsync(Chelsea(), Settings))
        {
            if (e is SliderFrame frame)
            {
                frames.Add(frame);
                if (frames.Count == 1)
                {
                    // Sequential code would wait here forever: the second run starts only after this frame is consumed.
                    await secondRunStarted.Task.WaitAsync(SignalTimeout);
                }
            }
        }

        Assert.Equal(FrameOrder.CoarseToFine(FrameCount), frames.Select(f => f.Index));
        Assert.Equal(5, runs.Count);
    }

    [Fact]
    public async Task The_first_run_is_inferred_while_the_consumer_still_holds_the_explanation()
    {
        var firstRunStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var explainer = new Explainer(fixture.Model, new ExplainerOptions { FrameRunStarting = _ => firstRunStarted.TrySetResult() });

        var events = new List<ExplainEvent>();
        await foreach (var e in explainer.ExplainAsync(Chelsea(), Settings))
        {
            events.Add(e);
            if (e is ExplanationReady)
            {
                // Sequential code would wait here forever: the first run would start only after the explanation is consumed.
                await firstRunStarted.Task.WaitAsync(SignalTimeout);
            }
        }

        Assert.IsType<ExplanationReady>(events[0]);
        Assert.Equal(FrameCount, events.OfType<SliderFrame>().Count());
    }

    [Fact]
    public async Task The_first_frame_is_out_before_the_last_run_starts()
    {
        var log = new ConcurrentQueue<string>();
        var explainer = new Explainer(fixture.Model, new ExplainerOptions
        {
            FirstChunkFrames = 2,
            MaxImagesPerRun = 2,
            FrameRunStarting = frames => log.Enqueue("run " + string.Join(",", frames)),
        });

        await foreach (var e in explainer.ExplainAsync(Chelsea(), Settings))
        {
            if (e is SliderFrame frame)
            {
                log.Enqueue($"frame {frame.Index}");
            }
        }

        var entries = log.ToList();
        var firstFrame = entries.IndexOf("frame 0");
        var lastRun = entries.FindLastIndex(entry => entry.StartsWith("run", StringComparison.Ordinal));
        Assert.InRange(firstFrame, 0, lastRun - 1);
        Assert.Equal(FrameCount, entries.Count(entry => entry.StartsWith("frame", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Pipelined_frames_match_frames_predicted_one_at_a_time_and_the_full_frame_reuses_the_gradient_run()
    {
        var runFrames = new ConcurrentBag<int>();
        var explainer = new Explainer(fixture.Model, new ExplainerOptions
        {
            MaxImagesPerRun = 3,
            FrameRunStarting = frames =>
            {
                foreach (var index in frames)
                {
                    runFrames.Add(index);
                }
            },
        });

        var events = new List<ExplainEvent>();
        await foreach (var e in explainer.ExplainAsync(Chelsea(), Settings))
        {
            events.Add(e);
        }

        var ready = Assert.IsType<ExplanationReady>(events[0]);
        var frames = events.OfType<SliderFrame>().ToDictionary(f => f.Index);
        Assert.Equal(FrameCount, frames.Count);
        Assert.DoesNotContain(FrameCount - 1, runFrames);
        Assert.Equal(FrameCount - 1, runFrames.Count);
        Assert.Equal(ready.Prediction.TargetProbability, frames[FrameCount - 1].TargetProbability);

        var reference = new Explainer(fixture.Model);
        var prepared = reference.Prepare(Chelsea(), Settings);
        var explanation = reference.Explain(prepared, reference.ComputeGradients([prepared]), 0);
        var target = explanation.Prediction.TargetClass;
        Assert.Equal(ready.Prediction.TargetClass, target);
        var input = new float[prepared.InputTensor.Length];
        for (var index = 0; index < FrameCount; index++)
        {
            reference.WriteFrameInputs(explanation, [index], input);
            var expected = PredictionBuilder.Softmax(reference.RunForward(input, 1))[target];
            Assert.Equal(expected, frames[index].TargetProbability, 1e-5f);
        }
    }

    private static byte[] Chelsea() => File.ReadAllBytes(TestPaths.Image("chelsea.png"));
}
