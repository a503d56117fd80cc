import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { explainAndFollow, JobFailedError, type JobChange } from "./jobStream";
import {
  JobEventSchema,
  JobState,
  ProgressStage,
  SaliencySliderService,
  type JobEvent,
} from "./gen/saliency/v1/saliency_pb";

const status = (state: JobState, extra: { jobId?: string; queuePosition?: bigint; message?: string; attempt?: number } = {}): JobEvent =>
  create(JobEventSchema, { event: { case: "status", value: { state, ...extra } } });
const explanation = (frameCount: number): JobEvent =>
  create(JobEventSchema, {
    event: { case: "explanation", value: { frameCount, prediction: { top: [{ index: 281, label: "tabby", probability: 0.6 }] } } },
  });
const frame = (index: number, total: number): JobEvent =>
  create(JobEventSchema, {
    event: { case: "frame", value: { index, percent: (index * 100) / (total - 1), targetProbability: index / (total - 1) } },
  });
const scoring = (done: number, total: number): JobEvent =>
  create(JobEventSchema, { event: { case: "progress", value: { stage: ProgressStage.SCORING_CHANNELS, done, total } } });
const completed = (): JobEvent => create(JobEventSchema, { event: { case: "completed", value: { insertionAuc: 0.5 } } });

/** A gateway in memory: Explain yields `explainEvents` then fails with `explainError`; StreamFrames replays `replay`. */
function fakeGateway(explainEvents: JobEvent[], explainError?: ConnectError, replay: JobEvent[] = []) {
  const streamFramesCalls: string[] = [];
  const transport = createRouterTransport(({ service }) => {
    service(SaliencySliderService, {
      async *explain() {
        for (const event of explainEvents) yield { event };
        if (explainError !== undefined) throw explainError;
      },
      async *streamFrames(request) {
        streamFramesCalls.push(request.jobId);
        for (const event of replay) yield { event };
      },
    });
  });
  return { client: createClient(SaliencySliderService, transport), streamFramesCalls };
}

const noPause = async (): Promise<void> => {};

describe("explainAndFollow", () => {
  it("reports Score-CAM's progress before the explanation and skips events it does not know", async () => {
    const { client } = fakeGateway([
      status(JobState.RUNNING, { jobId: "job-s", attempt: 1 }),
      scoring(0, 64),
      scoring(32, 64),
      create(JobEventSchema, {}), // an event of a newer contract: no case this client knows
      scoring(64, 64),
      explanation(2),
      frame(0, 2),
      frame(1, 2),
      completed(),
    ]);
    const scored: string[] = [];
    const changes: JobChange[] = [];
    const progress = await explainAndFollow(client, { image: new Uint8Array([1]) }, {
      onChange: (p, change) => {
        changes.push(change);
        if (change === "progress") scored.push(`${p.stage?.done}/${p.stage?.total}`);
      },
    });
    expect(scored).toEqual(["0/64", "32/64", "64/64"]);
    expect(changes).toEqual(["status", "progress", "progress", "progress", "explanation", "frame", "frame", "completed"]);
    expect(progress.state).toBe(JobState.DONE);
  });

  it("starts the frames over when a later attempt begins after a worker failure", async () => {
    const { client } = fakeGateway([
      status(JobState.QUEUED, { jobId: "job-r" }),
      status(JobState.RUNNING, { jobId: "job-r", attempt: 1 }),
      explanation(3),
      frame(0, 3),
      frame(2, 3),
      status(JobState.QUEUED, { jobId: "job-r", message: "queued again" }),
      status(JobState.RUNNING, { jobId: "job-r", attempt: 2, message: "restarted after a worker failure" }),
      explanation(3),
      frame(1, 3),
      frame(0, 3),
      frame(2, 3),
      completed(),
    ]);
    let framesWhenRestarted: number | undefined;
    const progress = await explainAndFollow(client, { image: new Uint8Array([1]) }, {
      onChange: (p, change) => {
        if (change === "status" && p.attempt === 2 && framesWhenRestarted === undefined) framesWhenRestarted = p.frames?.arrived ?? 0;
      },
    });

    expect(framesWhenRestarted).toBe(0);
    expect(progress.attempt).toBe(2);
    expect(progress.frames?.arrived).toBe(3);
    expect(progress.state).toBe(JobState.DONE);
  });

  it("collects out-of-order frames until Completed and reports each change", async () => {
    const { client } = fakeGateway([
      status(JobState.QUEUED, { jobId: "job-1", queuePosition: 2n }),
      status(JobState.RUNNING, { jobId: "job-1" }),
      explanation(5),
      frame(0, 5),
      frame(4, 5),
      frame(2, 5),
      frame(1, 5),
      frame(3, 5),
      completed(),
    ]);
    const changes: JobChange[] = [];
    const arrivedAtEachFrame: number[] = [];
    const progress = await explainAndFollow(client, { image: new Uint8Array([1]) }, {
      onChange: (p, change) => {
        changes.push(change);
        if (change === "frame") arrivedAtEachFrame.push(p.frames?.arrived ?? -1);
      },
    });
    expect(progress.jobId).toBe("job-1");
    expect(progress.state).toBe(JobState.DONE);
    expect(progress.frames?.isComplete).toBe(true);
    expect(progress.frames?.inIndexOrder().map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    expect(arrivedAtEachFrame).toEqual([1, 2, 3, 4, 5]);
    expect(changes).toEqual(["status", "status", "explanation", "frame", "frame", "frame", "frame", "frame", "completed"]);
    expect(progress.completed?.insertionAuc).toBe(0.5);
  });

  it("resumes a dropped stream by job id and ignores the replayed frames it already holds", async () => {
    const { client, streamFramesCalls } = fakeGateway(
      [status(JobState.RUNNING, { jobId: "job-2" }), explanation(3), frame(0, 3), frame(2, 3)],
      new ConnectError("connection reset", Code.Unavailable),
      [status(JobState.RUNNING, { jobId: "job-2" }), explanation(3), frame(0, 3), frame(2, 3), frame(1, 3), completed()],
    );
    let frameChanges = 0;
    const progress = await explainAndFollow(client, { image: new Uint8Array([1]) }, {
      pause: noPause,
      onChange: (_, change) => {
        if (change === "frame") frameChanges++;
      },
    });
    expect(streamFramesCalls).toEqual(["job-2"]);
    expect(progress.frames?.isComplete).toBe(true);
    expect(frameChanges).toBe(3);
  });

  it("rejects with the server's reason when the job fails, without reconnecting", async () => {
    const { client, streamFramesCalls } = fakeGateway([
      status(JobState.QUEUED, { jobId: "job-3" }),
      status(JobState.FAILED, { jobId: "job-3", message: "image could not be decoded" }),
    ]);
    const run = explainAndFollow(client, { image: new Uint8Array([1]) }, { pause: noPause, onChange: () => {} });
    await expect(run).rejects.toBeInstanceOf(JobFailedError);
    await expect(run).rejects.toThrow("image could not be decoded");
    expect(streamFramesCalls).toEqual([]);
  });

  it("passes an invalid-argument error through and gives up after the allowed reconnects", async () => {
    const invalid = fakeGateway([], new ConnectError("not an image", Code.InvalidArgument));
    await expect(
      explainAndFollow(invalid.client, { image: new Uint8Array([1]) }, { pause: noPause, onChange: () => {} }),
    ).rejects.toMatchObject({ code: Code.InvalidArgument });

    const flaky = fakeGateway([status(JobState.RUNNING, { jobId: "job-4" })], new ConnectError("reset", Code.Unavailable), [
      status(JobState.RUNNING, { jobId: "job-4" }),
    ]);
    await expect(
      explainAndFollow(flaky.client, { image: new Uint8Array([1]) }, { pause: noPause, maxReconnects: 2, onChange: () => {} }),
    ).rejects.toMatchObject({ code: Code.Unavailable });
    expect(flaky.streamFramesCalls).toEqual(["job-4", "job-4"]);
  });
});
