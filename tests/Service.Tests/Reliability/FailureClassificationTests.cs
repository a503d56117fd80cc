using SaliencySlider.Engine.Explaining;
using SaliencySlider.ExplainerWorker.Processing;

namespace SaliencySlider.Service.Tests.Reliability;

public sealed class FailureClassificationTests
{
    [Fact]
    public void Only_the_engines_verdicts_on_the_input_fail_a_job_at_once()
    {
        Assert.True(JobProcessor.IsInputError(new InvalidImageException("not an image")));
        Assert.True(JobProcessor.IsInputError(new UnsupportedModelException("no backward rule")));
        Assert.True(JobProcessor.IsInputError(new InvalidSettingsException("frame count 1 is outside 2..101")));
    }

    [Fact]
    public void A_defects_ArgumentException_is_retried_like_any_unexpected_failure()
    {
        Assert.False(JobProcessor.IsInputError(new ArgumentException("a bug's bad argument")));
        Assert.False(JobProcessor.IsInputError(new ArgumentOutOfRangeException("index")));
        Assert.False(JobProcessor.IsInputError(new InvalidOperationException("a bug")));
    }
}
