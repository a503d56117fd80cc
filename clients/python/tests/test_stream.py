"""stream(): typed events in the order they happen, for Client and AsyncClient alike."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import List, Type

import grpc
import pytest

from saliency_slider import (AsyncClient, Client, Completed, Event, Explanation, ExplanationReady, FrameReady,
                             Progress, Queued, Running, ServerError, Submitted)

from support import CAT_CLASSES, SMALL, fresh_png


def level(index: int, intervals: int) -> int:
    """How fine a subdivision of the slider frame ``index`` first appears in (ends 0, middle 1, quarters 2, …)."""
    if index in (0, intervals):
        return 0
    depth, step = 1, intervals // 2
    while index % step:
        depth, step = depth + 1, step // 2
    return depth


def assert_job_life(events: List[Event], frames: int) -> None:
    kinds: List[Type[object]] = [type(event) for event in events]
    assert kinds[0] is Submitted
    assert kinds[1:3] == [Queued, Running]
    assert kinds[3] is ExplanationReady
    assert kinds[4:-1] == [FrameReady] * frames
    assert kinds[-1] is Completed
    job_id = events[0].job_id  # type: ignore[union-attr]
    assert all(event.job_id == job_id for event in events)  # type: ignore[union-attr]

    arrived = [event.frame.index for event in events if isinstance(event, FrameReady)]
    assert sorted(arrived) == list(range(frames))
    levels = [level(index, frames - 1) for index in arrived]
    assert levels == sorted(levels), f"frames arrived {arrived}, not coarse to fine"
    assert [event.received for event in events if isinstance(event, FrameReady)] == list(range(1, frames + 1))
    assert all(event.total == frames for event in events if isinstance(event, FrameReady))


def test_stream_yields_submitted_queued_running_explanation_each_frame_coarse_to_fine_then_completed(
        client: Client, cat_path: Path) -> None:
    events = list(client.stream(fresh_png(cat_path), **SMALL))

    assert_job_life(events, frames=5)
    submitted, explanation = events[0], events[3]
    assert isinstance(submitted, Submitted) and not submitted.cached
    assert isinstance(explanation, ExplanationReady) and explanation.prediction[0].index in CAT_CLASSES
    assert explanation.frame_count == 5 and max(explanation.frame_width, explanation.frame_height) == 96


def test_a_score_cam_stream_reports_its_channel_scoring_before_the_explanation(client: Client, cat_path: Path) -> None:
    events = list(client.stream(fresh_png(cat_path), method="scorecam", **SMALL))

    progress = [event for event in events if isinstance(event, Progress)]
    assert progress and progress[0].done == 0 and progress[-1].done == progress[-1].total > 0
    assert [event.done for event in progress] == sorted(event.done for event in progress)
    kinds = [type(event) for event in events]
    assert kinds.index(Running) < kinds.index(Progress) < kinds.index(ExplanationReady)
    explanation = events[kinds.index(ExplanationReady)]
    assert isinstance(explanation, ExplanationReady) and explanation.method == "scorecam"


def test_stream_of_a_known_job_replays_it_as_cached(client: Client, cat_path: Path, cat: Explanation) -> None:
    events = list(client.stream(cat_path, **SMALL))

    assert events[0] == Submitted(cat.job_id, cached=True, queue_position=0)
    assert_job_life(events, frames=5)


def test_the_async_client_has_the_same_methods(server: str, cat_path: Path, cat: Explanation) -> None:
    async def scenario() -> None:
        async with AsyncClient(server, timeout=180) as client:
            models = await client.models()
            assert any(model.is_default for model in models)

            fresh = [event async for event in client.stream(fresh_png(cat_path), **SMALL)]
            assert_job_life(fresh, frames=5)

            result = await client.explain(cat_path, **SMALL)
            assert result.job_id == cat.job_id
            assert [p.index for p in result.prediction] == [p.index for p in cat.prediction]
            assert len(result.frames) == 5 and result.insertion_auc == pytest.approx(cat.insertion_auc)

            job = await client.job(cat.job_id)
            assert job.state == "done"

            with pytest.raises(ServerError) as raised:
                await client.explain(cat_path, model="no-such-model", **SMALL)
            assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
            assert "no-such-model" in raised.value.message

    asyncio.run(scenario())
