using SaliencySlider.Contracts.V1;

namespace SaliencySlider.Cli.Remote;

/// <summary>
/// One progress line on stderr: the job's state, its queue position while queued, Score-CAM's channels scored, then frames n/N.
/// On a terminal the line is rewritten in place; otherwise each change is a line of its own.
/// </summary>
internal sealed class ProgressDisplay(TextWriter output, bool interactive)
{
    private string _last = "";

    public void Status(JobStatus status) => Show(status.State switch
    {
        JobState.Queued when !string.IsNullOrEmpty(status.Message) => $"queued again: {status.Message}",
        JobState.Queued => $"queued (position {status.QueuePosition})",
        JobState.Running => $"running (attempt {status.Attempt})",
        _ => status.State.ToString().ToLowerInvariant(),
    });

    public void Progress(Progress progress) => Show(progress.Stage switch
    {
        ProgressStage.ScoringChannels => $"scoring channels {progress.Done}/{progress.Total}",
        _ => $"{progress.Done}/{progress.Total}",
    });

    public void Frames(int received, int total) => Show($"frames {received}/{total}");

    public void Methods(int received, int total) => Show($"methods {received}/{total}");

    public void Done()
    {
        if (interactive && _last.Length > 0)
        {
            output.WriteLine();
        }
    }

    private void Show(string line)
    {
        if (line == _last)
        {
            return;
        }

        if (interactive)
        {
            output.Write("\r" + line.PadRight(_last.Length));
        }
        else
        {
            output.WriteLine(line);
        }

        _last = line;
        output.Flush();
    }
}
