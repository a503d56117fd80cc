using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Tests.Inference;

/// <summary>The start-up log's account of a model load: every step, in order, adding up to the whole.</summary>
public sealed class LoadStepsTests
{
    [Fact]
    public void Loading_a_model_file_records_each_step_in_the_order_it_ran()
    {
        var m = new OnnxModelBuilder(seed: 90);
        var x = m.Input("image", [3, 6, 6]);
        m.Output(m.ClassifierHead(m.Node("Relu", [m.Stem(x, 3, 4)]), 4 * 36, 5));
        var path = Path.Combine(Directory.CreateTempSubdirectory("saliency-load-timings-").FullName, "tiny.onnx");
        File.WriteAllBytes(path, m.Build());
        try
        {
            using var model = ClassifierModel.Load(path, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });

            var timings = model.LoadSteps;
            Assert.Equal(
                ["read", "parse", "probe graph", "probe session", "probe run", "graph facts", "forward session", "batch check"],
                timings.Stages.Select(s => s.Stage));
            Assert.All(timings.Stages, s => Assert.True(s.Ms >= 0));
            Assert.InRange(timings.Stages.Sum(s => s.Ms), 0, timings.TotalMs);
            Assert.StartsWith("read ", timings.ToString(), StringComparison.Ordinal);
            Assert.Contains(", batch check ", timings.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void Steps_that_began_earlier_count_that_time_as_their_first_stage_and_in_the_total()
    {
        var timings = new LoadSteps("runtime", TimeSpan.FromSeconds(2));
        timings.Lap("host");

        Assert.Equal(["runtime", "host"], timings.Stages.Select(s => s.Stage));
        Assert.Equal(2000, timings.Stages[0].Ms);
        Assert.InRange(timings.TotalMs, 2000 + timings.Stages[1].Ms, double.MaxValue);
        Assert.StartsWith("runtime 2000 ms, host ", timings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_stage_includes_the_time_since_the_previous_lap()
    {
        var timings = new LoadSteps();
        var value = timings.Time("first", () => 7);
        timings.Lap("second");

        Assert.Equal(7, value);
        Assert.Equal(["first", "second"], timings.Stages.Select(s => s.Stage));
        Assert.InRange(timings.Stages.Sum(s => s.Ms), 0, timings.TotalMs);
    }
}
