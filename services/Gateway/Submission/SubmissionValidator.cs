using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Gateway.Models;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Gateway.Submission;

/// <summary>A request that passed validation: the model resolved and the options normalised.</summary>
public sealed record ValidatedSubmission(ReadOnlyMemory<byte> Image, string Model, ExplainOptions Options, ImageHeader Header);

/// <summary>
/// Checks a Submit (or Explain) request before anything is stored, cheapest check first: size, image header
/// (format and pixel count, without decoding), model, options, and last the decode of the image
/// itself (truncated or corrupt data). Every refusal is INVALID_ARGUMENT with a message that says
/// what to change.
/// </summary>
public sealed class SubmissionValidator(ServedModels models, PublishedLayerShapes layerShapes, DecodeBudget decodeBudget, IOptions<JobOptions> jobOptions)
{
    /// <summary>Longest side over shortest side: a 20000×1 strip has nothing a classifier could see.</summary>
    public const int MaxAspectRatio = 50;
    public const int MaxModelNameLength = 128;
    private readonly JobOptions _limits = jobOptions.Value;

    /// <summary>The fields of a SubmitRequest or an ExplainRequest (the two carry the same job).</summary>
    public async Task<ValidatedSubmission> ValidateAsync(ReadOnlyMemory<byte> image, string modelName, ExplainOptions? requestedOptions, CancellationToken cancellationToken)
    {
        if (image.Length == 0)
        {
            throw Invalid("image is empty; send the encoded bytes of a " + ImageHeaderInspector.SupportedFormatNames + " file");
        }

        if (image.Length > _limits.MaxImageBytes)
        {
            throw Invalid($"image is {FormatBytes(image.Length)}; the limit is {FormatBytes(_limits.MaxImageBytes)}");
        }

        var header = ImageHeaderInspector.TryRead(image)
            ?? throw Invalid($"image is not a decodable {ImageHeaderInspector.SupportedFormatNames} file ({image.Length} bytes starting {FirstBytes(image.Span)})");
        if (!ImageHeaderInspector.SupportedFormats.Contains(header.Format))
        {
            throw Invalid($"image format {header.Format} is not supported; use {ImageHeaderInspector.SupportedFormatNames}");
        }

        if (header.Width <= 0 || header.Height <= 0)
        {
            throw Invalid($"image has no pixels ({header.Width}×{header.Height})");
        }

        var pixels = (long)header.Width * header.Height;
        if (pixels > _limits.MaxPixels)
        {
            throw Invalid($"image is {header.Width}×{header.Height} = {Megapixels(pixels)} MP; the limit is {Megapixels(_limits.MaxPixels)} MP");
        }

        var longSide = Math.Max(header.Width, header.Height);
        var shortSide = Math.Min(header.Width, header.Height);
        if (longSide > (long)shortSide * MaxAspectRatio)
        {
            throw Invalid($"image is {header.Width}×{header.Height}: its sides differ more than {MaxAspectRatio}:1; crop it closer to the subject");
        }

        if (modelName.Length > MaxModelNameLength)
        {
            throw Invalid($"model name is {modelName.Length} characters long; model names have at most {MaxModelNameLength}; known models: {models.KnownNames}");
        }

        var model = models.Find(modelName)
            ?? throw Invalid(string.IsNullOrEmpty(modelName)
                ? "no model is configured on this server"
                : $"unknown model '{modelName}'; known models: {models.KnownNames}");

        ExplainOptions options;
        try
        {
            options = ExplainOptionsNormalizer.Normalize(requestedOptions, ServedModels.LimitsOf(model));
        }
        catch (InvalidOptionsException e)
        {
            throw Invalid(e.Message);
        }

        var jobBytes = JobSizeEstimate.Bytes(image.Length, header.Width, header.Height, options);
        if (jobBytes > _limits.MaxJobBytes)
        {
            var (frameWidth, frameHeight) = JobSizeEstimate.FrameSize(header.Width, header.Height, options.MaxFrameSide);
            throw Invalid(options.CompareMethods
                ? $"this comparison would store about {FormatBytes(jobBytes)} ({CamMethods.Kinds.Count} heatmaps of {frameWidth}×{frameHeight}); " +
                    $"the limit is {FormatBytes(_limits.MaxJobBytes)}: ask for a smaller max_frame_side"
                : $"this job would store about {FormatBytes(jobBytes)} ({options.FrameCount} {options.FrameFormat} frames of {frameWidth}×{frameHeight}); " +
                    $"the limit is {FormatBytes(_limits.MaxJobBytes)}: ask for fewer frames, a smaller max_frame_side, or JPEG/WebP frames");
        }

        var shapes = string.IsNullOrEmpty(options.TargetLayer) ? null : await layerShapes.OfAsync(model);
        if (TargetLayerCheck.Problem(model, models.GraphOf(model), shapes, options) is { } layerProblem)
        {
            throw Invalid(layerProblem);
        }

        var problem = await decodeBudget.RunAsync(
            ImageContentVerifier.DecodeBytes(header, image.Length), () => ImageContentVerifier.FindProblem(image), cancellationToken);
        if (problem is not null)
        {
            throw Invalid($"image header says {header.Format} {header.Width}×{header.Height}, but {problem}");
        }

        return new ValidatedSubmission(image, model.Name, options, header);
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    private static string FormatBytes(long bytes) => bytes >= 1024 * 1024
        ? (bytes / (1024.0 * 1024.0)).ToString("0.##", CultureInfo.InvariantCulture) + " MiB"
        : bytes.ToString(CultureInfo.InvariantCulture) + " bytes";

    private static string Megapixels(long pixels) => (pixels / 1e6).ToString("0.#", CultureInfo.InvariantCulture);

    private static string FirstBytes(ReadOnlySpan<byte> image) => Convert.ToHexString(image[..Math.Min(8, image.Length)]);
}
