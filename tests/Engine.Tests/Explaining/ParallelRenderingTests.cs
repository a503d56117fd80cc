using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Tests.Support;

namespace SaliencySlider.Engine.Tests.Explaining;

/// <summary>ExplainerOptions.RenderThreads: frames render on several threads and still come out in slider order, unchanged.</summary>
public class ParallelRenderingTests(MobileNetFixture fixture) : IClassFixture<MobileNetFixture>
{
    private static readonly ExplainSettings Settings = new() { FrameCount = 11, MaxFrameSide = 96, DeletionCurve = true };

    [Fact]
    public async Task Frames_rendered_on_four_threads_equal_those_rendered_one_by_one_in_the_same_order()
    {
        var image = File.ReadAllBytes(TestPaths.Image("chelsea.png"));

        var sequential = await FramesAsync(new Explainer(fixture.Model, new ExplainerOptions { RenderThreads = 1 }), image);
        var parallel = await FramesAsync(new Explainer(fixture.Model, new ExplainerOptions { RenderThreads = 4, MaxImagesPerRun = 8 }), image);

        Assert.Equal(Settings.FrameCount, parallel.Count);
        Assert.Equal(sequential.Select(f => f.Index), parallel.Select(f => f.Index));
        for (var i = 0; i < sequential.Count; i++)
        {
            Assert.Equal(sequential[i].Image, parallel[i].Image);
            Assert.Equal(sequential[i].TargetProbability, parallel[i].TargetProbability);
            Assert.Equal(sequential[i].DeletionProbability, parallel[i].DeletionProbability);
            Assert.Equal(sequential[i].Prediction.Top.Select(c => c.Index), parallel[i].Prediction.Top.Select(c => c.Index));
        }
    }

    [Fact]
    public async Task A_consumer_that_stops_early_gives_every_render_thread_back()
    {
        var image = File.ReadAllBytes(TestPaths.Image("coffee.png"));
        var explainer = new Explainer(fixture.Model, new ExplainerOptions { RenderThreads = 2, MaxImagesPerRun = 8 });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var taken = 0;
        await foreach (var explainEvent in explainer.ExplainAsync(image, Settings, timeout.Token))
        {
            if (explainEvent is SliderFrame && ++taken == 3)
            {
                break;
            }
        }

        // Had the abandoned renders kept their slots, this explanation could never render its frames.
        var frames = await FramesAsync(explainer, image, timeout.Token);
        Assert.Equal(Settings.FrameCount, frames.Count);
    }

    private static async Task<List<SliderFrame>> FramesAsync(Explainer explainer, byte[] image, CancellationToken ct = default)
    {
        var frames = new List<SliderFrame>();
        await foreach (var explainEvent in explainer.ExplainAsync(image, Settings, ct))
        {
            if (explainEvent is SliderFrame frame)
            {
                frames.Add(frame);
            }
        }
        return frames;
    }
}
