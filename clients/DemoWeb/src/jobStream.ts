import { Code, ConnectError, type Client } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { FrameStore } from "./frameStore";
import {
  JobState,
  type Completed,
  type Explanation,
  type Frame,
  type ExplainRequestSchema,
  type JobEvent,
  type Progress,
  type SaliencySliderService,
} from "./gen/saliency/v1/saliency_pb";

/** Everything the page knows about the job it follows; updated in place as events arrive. */
export interface JobProgress {
  jobId: string;
  state: JobState;
  /** Jobs ahead in the queue while JobState.QUEUED. */
  queuePosition: bigint;
  attempt: number;
  explanation: Explanation | undefined;
  frames: FrameStore<Frame> | undefined;
  completed: Completed | undefined;
  /** The latest progress of a stage before the explanation (Score-CAM's channels scored). */
  stage: Progress | undefined;
}

export type JobChange = "status" | "progress" | "explanation" | "frame" | "completed";

export interface FollowOptions {
  readonly signal?: AbortSignal;
  readonly onChange: (progress: JobProgress, change: JobChange) => void;
  /** Times a dropped stream is resumed with StreamFrames (the server replays every event). */
  readonly maxReconnects?: number;
  /** Waits before a reconnect; injectable so tests need not wait. */
  readonly pause?: (attempt: number, signal?: AbortSignal) => Promise<void>;
}

/** The job ended FAILED; the message is the server's reason. */
export class JobFailedError extends Error {
  override readonly name = "JobFailedError";
}

const RESUMABLE = new Set<Code>([Code.Unavailable, Code.Unknown, Code.Internal, Code.Aborted, Code.DeadlineExceeded]);

/**
 * Explains an image and follows the job's event stream until Completed, resuming a dropped
 * stream by job id. Resolves with the final progress; rejects with JobFailedError when the job
 * fails, or with the stream's ConnectError when it cannot be resumed.
 */
export async function explainAndFollow(
  client: Client<typeof SaliencySliderService>,
  request: MessageInitShape<typeof ExplainRequestSchema>,
  options: FollowOptions,
): Promise<JobProgress> {
  const progress: JobProgress = {
    jobId: "",
    state: JobState.UNSPECIFIED,
    queuePosition: 0n,
    attempt: 0,
    explanation: undefined,
    frames: undefined,
    stage: undefined,
    completed: undefined,
  };
  const maxReconnects = options.maxReconnects ?? 3;
  const pause = options.pause ?? backoff;
  let reconnects = 0;
  // Explain's and StreamFrames' responses both carry one JobEvent.
  let stream: AsyncIterable<{ readonly event?: JobEvent }> = client.explain(request, { signal: options.signal });
  for (;;) {
    try {
      for await (const response of stream) {
        if (response.event !== undefined && apply(progress, response.event, options.onChange)) return progress;
      }
      if (progress.jobId === "") throw new ConnectError("the stream ended before the job started", Code.Unavailable);
      throw new ConnectError("the stream ended before the job completed", Code.Unavailable);
    } catch (error) {
      if (error instanceof JobFailedError) throw error;
      const connectError = ConnectError.from(error);
      const resumable = progress.jobId !== "" && RESUMABLE.has(connectError.code) && !options.signal?.aborted;
      if (!resumable || reconnects >= maxReconnects) throw connectError;
      reconnects++;
      await pause(reconnects, options.signal);
      stream = client.streamFrames({ jobId: progress.jobId }, { signal: options.signal });
    }
  }
}

/** Applies one event; true when it ends the job successfully. */
function apply(progress: JobProgress, event: JobEvent, onChange: FollowOptions["onChange"]): boolean {
  const { event: body } = event;
  switch (body.case) {
    case "status": {
      const status = body.value;
      if (status.jobId !== "") progress.jobId = status.jobId;
      progress.state = status.state;
      progress.queuePosition = status.queuePosition;
      if (status.state === JobState.RUNNING && status.attempt > progress.attempt) {
        // A later attempt after a worker failure starts over: its explanation and frames replace the old ones.
        if (progress.attempt > 0) {
          progress.explanation = undefined;
          progress.frames = undefined;
        }
        progress.attempt = status.attempt;
      }
      onChange(progress, "status");
      if (status.state === JobState.FAILED) {
        throw new JobFailedError(status.message !== "" ? status.message : "The job failed.");
      }
      return false;
    }
    case "progress": {
      progress.stage = body.value;
      onChange(progress, "progress");
      return false;
    }
    case "explanation": {
      const explanation = body.value;
      progress.explanation = explanation;
      // A replayed explanation (after a reconnect) keeps the frames already held.
      if (progress.frames === undefined || progress.frames.total !== explanation.frameCount) {
        progress.frames = new FrameStore<Frame>(explanation.frameCount);
      }
      progress.state = JobState.RUNNING;
      onChange(progress, "explanation");
      return false;
    }
    case "frame": {
      if (progress.frames?.add(body.value) === true) onChange(progress, "frame");
      return false;
    }
    case "completed": {
      progress.completed = body.value;
      progress.state = JobState.DONE;
      onChange(progress, "completed");
      return true;
    }
    default:
      return false;
  }
}

function backoff(attempt: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, 400 * 2 ** (attempt - 1));
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new ConnectError("cancelled", Code.Canceled));
    }, { once: true });
  });
}
