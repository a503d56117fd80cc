"""Client against the live system: models, explain with every kind of image input, deletion, jobs, errors."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import grpc
import numpy as np
import pytest
from PIL import Image

from saliency_slider import Client, Explanation, ServerError

from support import CAT_CLASSES, SMALL, TEST_IMAGES, fresh_png


def test_models_lists_the_served_models_with_input_size_classes_and_default_layer(client: Client) -> None:
    models = {model.name: model for model in client.models()}

    default = models["mobilenet_v2_1.0_224"]
    assert default.is_default
    assert default.input_size == (224, 224)
    assert default.classes in (1000, 1001)
    assert default.default_layer
    assert {"inat-bird", "inat-insect"} <= set(models)
    assert [m.name for m in models.values() if m.is_default] == ["mobilenet_v2_1.0_224"]


def test_explain_returns_the_prediction_heatmap_cam_frames_and_insertion_curve(cat: Explanation) -> None:
    assert len(cat.job_id) > 0
    assert cat.prediction[0].index in CAT_CLASSES
    assert [p.probability for p in cat.prediction] == sorted((p.probability for p in cat.prediction), reverse=True)
    assert cat.target_class == cat.prediction[0].index and cat.target_label == cat.prediction[0].label
    assert cat.method == "gradcam" and cat.layer

    assert cat.heatmap.mode == "RGBA" and max(cat.heatmap.size) == 96
    assert cat.cam.dtype == np.float32 and cat.cam.ndim == 2 and cat.cam.max() > 0
    assert len(cat.frames) == 5 and all(frame.size == cat.heatmap.size for frame in cat.frames)
    assert [step.index for step in cat.steps] == [0, 1, 2, 3, 4]
    assert [round(point.percent) for point in cat.insertion_curve] == [0, 25, 50, 75, 100]
    assert cat.insertion_curve[-1].probability == pytest.approx(cat.steps[-1].target_probability)
    assert 0 < cat.insertion_auc <= 1
    assert cat.deletion_curve is None and cat.deletion_auc is None
    assert cat.timings.total_ms > 0


def test_the_insertion_auc_is_the_trapezoid_area_under_the_insertion_curve(cat: Explanation) -> None:
    percents = [point.percent / 100 for point in cat.insertion_curve]
    probabilities = [point.probability for point in cat.insertion_curve]

    assert cat.insertion_auc == pytest.approx(np.trapz(probabilities, percents), abs=1e-4)


@pytest.mark.parametrize("kind", ["str path", "Path", "bytes", "PIL image", "numpy uint8", "numpy float"])
def test_explain_takes_a_path_bytes_a_pil_image_or_a_numpy_array(
        client: Client, cat_path: Path, cat: Explanation, kind: str) -> None:
    rgb = Image.open(cat_path).convert("RGB")
    image = {
        "str path": str(cat_path),
        "Path": cat_path,
        "bytes": cat_path.read_bytes(),
        "PIL image": rgb,
        "numpy uint8": np.asarray(rgb),
        "numpy float": np.asarray(rgb) / 255.0,
    }[kind]

    result = client.explain(image, **SMALL)

    assert result.prediction[0].index == cat.prediction[0].index
    if kind in ("str path", "Path", "bytes"):
        assert result.job_id == cat.job_id and result.cached


def test_explain_with_deletion_returns_the_deletion_curve_and_its_auc(client: Client, cat_path: Path) -> None:
    result = client.explain(fresh_png(cat_path), deletion=True, **SMALL)

    assert result.deletion_curve is not None and result.deletion_auc is not None
    assert [round(point.percent) for point in result.deletion_curve] == [0, 25, 50, 75, 100]
    assert result.deletion_curve[0].probability == pytest.approx(result.steps[-1].target_probability, abs=1e-3)
    assert 0 <= result.deletion_auc < result.insertion_auc


def test_explain_passes_method_class_layer_baseline_and_top_k(client: Client, cat_path: Path) -> None:
    default_layer = next(m.default_layer for m in client.models() if m.is_default)

    result = client.explain(cat_path, method="eigencam", target_class=1, layer=default_layer, baseline="black",
                            top_k=3, **SMALL)

    assert result.method == "eigencam" and result.layer == default_layer
    assert result.target_class == 1
    assert len(result.prediction) == 3


def test_explain_with_another_model(client: Client) -> None:
    result = client.explain(TEST_IMAGES / "bird.bmp", model="inat-bird", **SMALL)

    assert "Poecile" in result.prediction[0].label


def test_job_returns_the_record_of_a_finished_job(client: Client, cat: Explanation) -> None:
    job = client.job(cat.job_id)

    assert job.state == "done" and job.frames_ready == job.frame_count == 5
    assert job.prediction[0].index == cat.prediction[0].index
    assert job.model == "mobilenet_v2_1.0_224" and job.attempts == 1 and job.error == ""
    assert job.timings is not None and job.timings.total_ms > 0


@pytest.mark.parametrize("call, code, words", [
    (lambda c, cat: c.explain(cat, model="no-such-model", **SMALL), grpc.StatusCode.INVALID_ARGUMENT, "no-such-model"),
    (lambda c, cat: c.explain(b"this is not an image", **SMALL), grpc.StatusCode.INVALID_ARGUMENT, "image"),
    (lambda c, cat: c.explain(cat, frames=500), grpc.StatusCode.INVALID_ARGUMENT, "frame"),
    (lambda c, cat: c.job("0" * 64), grpc.StatusCode.NOT_FOUND, "job"),
])
def test_a_refused_call_raises_server_error_with_the_status_and_the_servers_message(
        client: Client, cat_path: Path, call: Callable[[Client, Path], object], code: grpc.StatusCode,
        words: str) -> None:
    with pytest.raises(ServerError) as raised:
        call(client, cat_path)

    assert raised.value.code == code
    assert words in raised.value.message.lower()
    assert str(raised.value).startswith(code.name + ": ")


def test_an_unreachable_server_raises_server_error_unavailable(unused_port: int) -> None:
    with Client(f"127.0.0.1:{unused_port}", timeout=10) as client, pytest.raises(ServerError) as raised:
        client.models()

    assert raised.value.code == grpc.StatusCode.UNAVAILABLE


def test_unknown_method_or_baseline_names_are_refused_before_any_call(client: Client, cat_path: Path) -> None:
    with pytest.raises(ValueError, match="gradcampp"):
        client.explain(cat_path, method="grad-cam++")
    with pytest.raises(ValueError, match="blur"):
        client.explain(cat_path, baseline="white")
    with pytest.raises(TypeError):
        client.explain(42)  # type: ignore[arg-type]
