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

    public void Apply(JobEvent jobEvent)
    {
        switch (jobEvent.EventCase)
        {
            case JobEvent.EventOneofCase.Status when jobEvent.Status.State == JobState.Running:
                if (jobEvent.Status.Attempt > Attempt && Attempt > 0)
                {
                    Restarts++;
                    RestartMessages.Add(jobEvent.Status.Message);
                    Explanation = null;
                    Frames.Clear();
                }

                Attempt = Math.Max(Attempt, jobEvent.Status.Attempt);
                break;
            case JobEvent.EventOneofCase.Status when jobEvent.Status.State == JobState.Failed:
                Failed = jobEvent.Status;
                break;
            case JobEvent.EventOneofCase.Explanation:
                Explanation = jobEvent.Explanation;
                break;
            case JobEvent.EventOneofCase.Frame:
                Frames.Add(jobEvent.Frame);
                break;
            case JobEvent.EventOneofCase.Completed:
                Completed = jobEvent.Completed;
                break;
        }
    }

    /// <summary>Reads until the stream ends; returns false when it ended before the job finished.</summary>
    public async Task<bool> ReadToEndAsync(IAsyncStreamReader<JobEvent> stream, CancellationToken cancellationToken = default)
    {
        while (await stream.MoveNext(cancellationToken))
        {
            Apply(stream.Current);
        }

        return Finished;
    }
}
