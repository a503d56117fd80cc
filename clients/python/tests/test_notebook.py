"""An Explanation shows itself in Jupyter: self-contained HTML with the image, the heatmap and a frame slider."""
from __future__ import annotations

import base64
import re

from saliency_slider import Explanation


def test_repr_html_holds_the_image_heatmap_every_frame_inline_and_a_slider_over_them(cat: Explanation) -> None:
    page = cat._repr_html_()

    uris = re.findall(r"data:(image/[a-z]+);base64,([A-Za-z0-9+/=]+)", page)
    frames = {base64.b64decode(data) for _, data in uris}
    assert all(step.encoded in frames for step in cat.steps)
    assert any(mime == "image/png" for mime, _ in uris)  # the heatmap
    assert re.search(r'<input type="range" min="0" max="4"', page)
    assert page.count("<script>") == 1
    assert "tabby" in page or cat.prediction[0].label in page
    for step in cat.steps:
        assert f"{step.percent:.0f} % revealed" in page


def test_repr_html_fetches_nothing_from_the_network(cat: Explanation) -> None:
    page = cat._repr_html_()

    assert not re.search(r"(src|href)=\"(?!data:)", page)
    assert "http://" not in page and "https://" not in page
    assert "import " not in page and "require(" not in page


def test_each_rendering_has_its_own_element_id(cat: Explanation) -> None:
    first, second = (re.search(r'id="(saliency-slider-[0-9a-f]+)"', cat._repr_html_()) for _ in range(2))

    assert first and second and first.group(1) != second.group(1)
