using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Cam;

namespace SaliencySlider.Gateway.Submission;

/// <summary>
/// What a job will store in Redis, from its image header and normalised options, before anything is stored:
/// the image, then the explanation and every frame at the frame size (the image scaled so that its longer
/// side is at most max_frame_side), at a generous rate per pixel for the frame format. A comparison stores one
/// MethodResult per registered CAM method instead: a heatmap PNG at the frame size and two curves.
/// </summary>
public static class JobSizeEstimate
{
    private const long EventOverheadBytes = 64 * 1024;

    public static (int Width, int Height) FrameSize(int imageWidth, int imageHeight, int maxFrameSide)
    {
        var scale = Math.Min(1.0, (double)maxFrameSide / Math.Max(imageWidth, imageHeight));
        return (Math.Max(1, (int)Math.Round(imageWidth * scale)), Math.Max(1, (int)Math.Round(imageHeight * scale)));
    }

    public static long Bytes(long imageBytes, int imageWidth, int imageHeight, ExplainOptions options)
    {
        var (width, height) = FrameSize(imageWidth, imageHeight, options.MaxFrameSide);
        if (options.CompareMethods)
        {
            var perResult = ((long)width * height * HeatmapBytesPerPixel) + (2L * options.FrameCount * sizeof(float)) + EventOverheadBytes;
            return imageBytes + ((CamMethods.Kinds.Count + 1L) * perResult);
        }
        var perEvent = (long)Math.Ceiling((long)width * height * BytesPerPixel(options.FrameFormat)) + EventOverheadBytes;
        return imageBytes + ((options.FrameCount + 1L) * perEvent);
    }

    // A heatmap PNG is at most its raw RGBA (a smooth colour map compresses to far less).
    private const int HeatmapBytesPerPixel = 4;

    // Lossy formats of photos stay well under 1 byte a pixel; PNG of a photo under 2 (measured: about 1.2).
    private static double BytesPerPixel(ImageFormat format) => format == ImageFormat.Png ? 2.0 : 0.75;
}
