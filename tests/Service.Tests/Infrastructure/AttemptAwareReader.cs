using Grpc.Core;
using SaliencySlider.Contracts.V1;

namespace SaliencySlider.Service.Tests.Infrastructure;

/// <summary>
/// What a well-behaved client keeps of a job's stream: a RUNNING status with a higher attempt than
/// the one it holds means the frames start over, so it drops the explanation and frames it had.
/// </summary>
public sealed class AttemptAwareReader
{
    public int Attempt { get; private set; }
    public int Restarts { get; private set; }
    public List<string> RestartMessages { get; } = [];
    public Explanation? Explanation { get; private set; }
    public List<Frame> Frames { get; } = [];
    public Completed? Completed { get; private set; }
    public JobStatus? Failed { get; private set; }
    public bool Finished => Completed is not null || Failed is not null;

    public void Apply(FrameEvent frameEvent)
    {
        switch (frameEvent.EventCase)
        {
            case FrameEvent.EventOneofCase.Status when frameEvent.Status.State == JobState.Running:
                if (frameEvent.Status.Attempt > Attempt && Attempt > 0)
                {
                    Restarts++;
                    RestartMessages.Add(frameEvent.Status.Message);
                    Explanation = null;
                    Frames.Clear();
                }

                Attempt = Math.Max(Attempt, frameEvent.Status.Attempt);
                break;
            case FrameEvent.EventOneofCase.Status when frameEvent.Status.State == JobState.Failed:
                Failed = frameEvent.Status;
                break;
            case FrameEvent.EventOneofCase.Explanation:
                Explanation = frameEvent.Explanation;
                break;
            case FrameEvent.EventOneofCase.Frame:
                Frames.Add(frameEvent.Frame);
                break;
            case FrameEvent.EventOneofCase.Completed:
                Completed = frameEvent.Completed;
                break;
        }
    }

    /// <summary>Reads until the stream ends; returns false when it ended before the job finished.</summary>
    public async Task<bool> ReadToEndAsync(IAsyncStreamReader<FrameEvent> stream, CancellationToken cancellationToken = default)
    {
        while (await stream.MoveNext(cancellationToken))
        {
            Apply(stream.Current);
        }

        return Finished;
    }
}
