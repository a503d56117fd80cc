using SaliencySlider.Contracts.V1;

namespace SaliencySlider.Gateway.Security;

/// <summary>
/// How many submissions a queued job counts as for the rate limit, by the work it asks for: a Grad-CAM-family job
/// is 1; a Score-CAM job <see cref="RateLimitOptions.ScoreCamCost"/> and a comparison of every method
/// <see cref="RateLimitOptions.CompareCost"/>, after their measured cost on the default model in Grad-CAM jobs on CPU
/// (docs/PERFORMANCE.md, "Score-CAM and comparisons"). Never more than the burst, so every job can be admitted.
/// </summary>
public static class SubmitCost
{
    public static int Of(object? request, RateLimitOptions settings)
    {
        var cost = OptionsOf(request) switch
        {
            { CompareMethods: true } => settings.CompareCost,
            { Method: CamMethod.ScoreCam } => settings.ScoreCamCost,
            _ => 1,
        };
        return Math.Min(cost, settings.Burst);
    }

    /// <summary>Why the request costs more than one submission, for the refusal's message.</summary>
    public static string Why(object? request) => OptionsOf(request) switch
    {
        { CompareMethods: true } => "a comparison of every method",
        { Method: CamMethod.ScoreCam } => "Score-CAM",
        _ => "one job",
    };

    private static ExplainOptions? OptionsOf(object? request) => request switch
    {
        SubmitRequest submit => submit.Options,
        ExplainRequest explain => explain.Options,
        _ => null,
    };
}
