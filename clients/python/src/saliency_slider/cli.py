"""``python -m saliency_slider IMAGE --server host:port``: explain an image with progress, save the results.

Writes OUT/heatmap.png, OUT/cam.npy and OUT/frames/frame_00.jpg … in slider order.
Exit codes: 0 done; 1 the server refused the request or the job failed; 3 the server is unavailable.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import List, Optional, Sequence

import grpc
import numpy as np

from .client import Client
from .errors import JobFailedError, ServerError, StreamEndedError
from .events import ClassScore, Completed, ExplanationReady, FrameReady, Queued, Running, Submitted
from .request import BASELINES, METHODS

EXIT_OK, EXIT_FAILED, EXIT_UNAVAILABLE = 0, 1, 3
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
UNAVAILABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m saliency_slider", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("image", type=Path, help="image to explain (JPEG, PNG, WebP, GIF or BMP)")
    parser.add_argument("--server", default=os.environ.get("SALIENCY_SERVER", "localhost:50051"),
                        help="gateway host:port (native gRPC, cleartext); default $SALIENCY_SERVER or localhost:50051")
    parser.add_argument("--out", type=Path, default=Path("saliency-out"), help="output folder")
    parser.add_argument("--model", default=None, help="model name (default: the server's default)")
    parser.add_argument("--method", default="gradcam", choices=list(METHODS), help="CAM method")
    parser.add_argument("--baseline", default="blur", choices=list(BASELINES), help="what unrevealed pixels show")
    parser.add_argument("--class", dest="target_class", type=int, default=None, help="class index to explain")
    parser.add_argument("--layer", default=None, help="tensor to explain (default: the model's default layer)")
    parser.add_argument("--frames", type=int, default=21, help="slider frames, 2..101")
    parser.add_argument("--max-side", type=int, default=512, help="longest side of the frames in pixels")
    parser.add_argument("--deletion", action="store_true", help="also compute the deletion curve")
    parser.add_argument("--api-key", default=os.environ.get("SALIENCY_API_KEY"), help="default $SALIENCY_API_KEY")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the whole job")
    return parser.parse_args(argv)


def show_progress(text: str) -> None:
    """One progress line on stderr, rewritten in place on a terminal."""
    end = "\r" if sys.stderr.isatty() else "\n"
    print(f"{text:<40}", end=end, file=sys.stderr, flush=True)


def print_prediction(prediction: List[ClassScore]) -> None:
    for rank, score in enumerate(prediction):
        print(f"{'top-1' if rank == 0 else '     '} {score.index} {score.label} p={score.probability:.4f}")


def run(client: Client, args: argparse.Namespace) -> int:
    frames_dir = args.out / "frames"
    frames_dir.mkdir(parents=True, exist_ok=True)
    events = client.stream(args.image, model=args.model, method=args.method, frames=args.frames,
                           target_class=args.target_class, layer=args.layer, baseline=args.baseline,
                           deletion=args.deletion, max_side=args.max_side)
    for event in events:
        if isinstance(event, Submitted):
            print(f"job {event.job_id}{' (cached)' if event.cached else ''}")
        elif isinstance(event, Queued):
            show_progress(f"queued again: {event.message}" if event.message else f"queued (position {event.position})")
        elif isinstance(event, Running):
            show_progress(f"running (attempt {event.attempt})")
        elif isinstance(event, ExplanationReady):
            print_prediction(event.prediction)
            print(f"explained {event.target_label} with {event.method} on {event.layer}")
            event.heatmap.save(args.out / "heatmap.png")
            np.save(args.out / "cam.npy", event.cam)
        elif isinstance(event, FrameReady):
            frame = event.frame
            name = f"frame_{frame.index:02d}{EXTENSIONS.get(frame.mime_type, '.bin')}"
            (frames_dir / name).write_bytes(frame.encoded)
            show_progress(f"frames {event.received}/{event.total}")
        elif isinstance(event, Completed):
            deletion = "" if event.deletion_auc is None else f", deletion AUC {event.deletion_auc:.4f}"
            print(f"insertion AUC {event.insertion_auc:.4f}{deletion}, total {event.timings.total_ms:.0f} ms")
            print(f"wrote {args.out.resolve()}")
    return EXIT_OK


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if not args.image.is_file():
        print(f"error: image not found: {args.image}", file=sys.stderr)
        return EXIT_FAILED
    with Client(args.server, api_key=args.api_key, timeout=args.timeout) as client:
        try:
            return run(client, args)
        except ServerError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_UNAVAILABLE if error.code in UNAVAILABLE else EXIT_FAILED
        except JobFailedError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_FAILED
        except StreamEndedError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_UNAVAILABLE
