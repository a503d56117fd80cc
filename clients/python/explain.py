#!/usr/bin/env python3
"""Explain an image with a Saliency Slider server over gRPC.

Submits IMAGE, prints the model's prediction, streams the slider frames with a progress line and
saves them, the heatmap and the raw CAM to OUT_DIR.

    ./generate_stubs.sh                       # once: writes generated/ (saliency/v1/*_pb2*.py)
    python3 explain.py IMAGE --server localhost:50051 --out chelsea-out

Exit codes: 0 done; 1 the server refused the request or the job failed; 3 the server is unavailable.
"""
import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("SALIENCY_STUBS", str(Path(__file__).resolve().parent / "generated")))

import grpc  # noqa: E402
from saliency.v1 import saliency_pb2 as pb  # noqa: E402
from saliency.v1 import saliency_pb2_grpc as pb_grpc  # noqa: E402

EXIT_OK, EXIT_FAILED, EXIT_UNAVAILABLE = 0, 1, 3
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", type=Path, help="image to explain (JPEG, PNG, WebP, GIF or BMP)")
    parser.add_argument("--server", default=os.environ.get("SALIENCY_SERVER", "localhost:50051"),
                        help="gateway host:port (native gRPC, cleartext)")
    parser.add_argument("--out", type=Path, default=Path("saliency-out"), help="output folder")
    parser.add_argument("--model", default="", help="model name (default: the server's default)")
    parser.add_argument("--frames", type=int, default=21, help="slider frames, 2..101")
    parser.add_argument("--max-side", type=int, default=512, help="longest side of the frames in pixels")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the whole job")
    return parser.parse_args(argv)


def show_progress(text):
    """One progress line, rewritten in place on a terminal."""
    end = "\r" if sys.stderr.isatty() else "\n"
    print(f"{text:<40}", end=end, file=sys.stderr, flush=True)


def print_prediction(prediction):
    top1 = prediction.top[0]
    print(f"top-1 {top1.index} {top1.label} p={top1.probability:.4f}")
    for score in prediction.top[1:]:
        print(f"      {score.index} {score.label} p={score.probability:.4f}")


def explain(stub, args):
    request = pb.SubmitRequest(
        image=args.image.read_bytes(),
        model=args.model,
        options=pb.ExplainOptions(frame_count=args.frames, max_frame_side=args.max_side),
    )
    submitted = stub.Submit(request, timeout=30)
    print(f"job {submitted.job_id}{' (cached)' if submitted.cached else ''}")

    frames_dir = args.out / "frames"
    frames_dir.mkdir(parents=True, exist_ok=True)
    frame_count, received = 0, 0
    responses = stub.StreamFrames(pb.StreamFramesRequest(job_id=submitted.job_id), timeout=args.timeout)
    for response in responses:
        event = response.event
        kind = event.WhichOneof("event")
        if kind == "status":
            status = event.status
            if status.state == pb.JOB_STATE_FAILED:
                print(f"error: job failed: {status.message}", file=sys.stderr)
                return EXIT_FAILED
            if status.state == pb.JOB_STATE_QUEUED:
                show_progress(f"queued (position {status.queue_position})")
            else:
                state = pb.JobState.Name(status.state).removeprefix("JOB_STATE_").lower()
                show_progress(f"{state} (attempt {status.attempt})")
        elif kind == "progress":
            show_progress(f"scoring channels {event.progress.done}/{event.progress.total}")
        elif kind == "explanation":
            explanation = event.explanation
            frame_count = explanation.frame_count
            print_prediction(explanation.prediction)
            print(f"explained {explanation.prediction.target_label} with {explanation.method} on {explanation.layer}")
            (args.out / "heatmap.png").write_bytes(explanation.heatmap_png)
        elif kind == "frame":
            frame = event.frame
            name = f"frame_{frame.index:02d}{EXTENSIONS.get(frame.mime_type, '.bin')}"
            (frames_dir / name).write_bytes(frame.image)
            received += 1
            show_progress(f"frames {received}/{frame_count}")
        elif kind == "completed":
            completed = event.completed
            print(f"insertion AUC {completed.insertion_auc:.4f}, total {completed.timings.total_ms:.0f} ms")
            print(f"wrote {args.out.resolve()}")
            return EXIT_OK
    print("error: the stream ended before the job completed", file=sys.stderr)
    return EXIT_UNAVAILABLE


def main(argv=None):
    args = parse_args(argv)
    options = [("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
               ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)]
    with grpc.insecure_channel(args.server, options=options) as channel:
        try:
            return explain(pb_grpc.SaliencySliderServiceStub(channel), args)
        except grpc.RpcError as error:
            print(f"error: {error.code().name}: {error.details()}", file=sys.stderr)
            unavailable = error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
            return EXIT_UNAVAILABLE if unavailable else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
