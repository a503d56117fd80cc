"""An ``Explanation`` as self-contained HTML for Jupyter: every image inline as a data URI, the slider in a small
inline script, nothing fetched from the network."""
from __future__ import annotations

import base64
import html
import io
import json
import uuid
from typing import TYPE_CHECKING, Dict, List, Union

from PIL import Image

if TYPE_CHECKING:
    from .explanation import Explanation

_CURVE_WIDTH, _CURVE_HEIGHT = 240, 90
_SCRIPT = """
(function () {
  var root = document.getElementById(%(id)s), steps = %(steps)s;
  var slider = root.querySelector("input"), frame = root.querySelector(".ss-frame"),
      caption = root.querySelector(".ss-caption"), marker = root.querySelector("circle");
  function show(i) {
    var s = steps[i];
    frame.src = s.src;
    caption.textContent = s.caption;
    marker.setAttribute("cx", s.x);
    marker.setAttribute("cy", s.y);
  }
  slider.addEventListener("input", function () { show(Number(slider.value)); });
})();
"""


def data_uri(data: Union[bytes, Image.Image], mime_type: str = "image/png") -> str:
    """``data:`` URI of encoded bytes, or of a PIL image as PNG."""
    if isinstance(data, Image.Image):
        buffer = io.BytesIO()
        data.save(buffer, format="PNG")
        data = buffer.getvalue()
    return f"data:{mime_type};base64,{base64.b64encode(data).decode('ascii')}"


def explanation_html(explanation: "Explanation") -> str:
    """The image, its heatmap overlay, and a slider over the frames with each step's prediction and the
    insertion curve."""
    element_id = f"saliency-slider-{uuid.uuid4().hex}"
    steps = [_step(explanation, index) for index in range(len(explanation.steps))]
    first, full = steps[0], data_uri(explanation.steps[-1].encoded, explanation.steps[-1].mime_type)
    width = explanation.heatmap.width
    top = explanation.prediction[0] if explanation.prediction else None
    headline = (f"{html.escape(top.label)} ({top.probability:.3f})" if top else "no prediction")
    box = f"margin:0;width:{width}px"
    points = " ".join(f"{step['x']},{step['y']}" for step in steps)
    script = _SCRIPT % {"id": json.dumps(element_id), "steps": json.dumps(steps).replace("</", "<\\/")}
    return f"""<div id="{element_id}" class="saliency-slider" style="font-family:sans-serif;font-size:13px">
<div style="display:flex;gap:12px;flex-wrap:wrap;align-items:flex-start">
<figure style="{box}"><img src="{full}" width="{width}" alt="image"><figcaption>image: {headline}</figcaption></figure>
<figure style="{box};position:relative"><img src="{full}" width="{width}" alt="image">
<img src="{data_uri(explanation.heatmap)}" width="{width}" alt="heatmap"
 style="position:absolute;left:0;top:0;opacity:0.7">
<figcaption>heatmap: {html.escape(explanation.method)} on {html.escape(explanation.layer)},
class {explanation.target_class} {html.escape(explanation.target_label)}</figcaption></figure>
<figure style="{box}"><img class="ss-frame" src="{first['src']}" width="{width}" alt="slider frame">
<figcaption class="ss-caption">{html.escape(str(first['caption']))}</figcaption></figure>
</div>
<div style="display:flex;gap:12px;align-items:center;margin-top:6px">
<input type="range" min="0" max="{len(steps) - 1}" value="0" step="1" style="width:{width}px"
 aria-label="pixels revealed">
<svg width="{_CURVE_WIDTH}" height="{_CURVE_HEIGHT}" role="img" aria-label="insertion curve">
<rect width="{_CURVE_WIDTH}" height="{_CURVE_HEIGHT}" fill="none" stroke="#ccc"/>
<polyline points="{points}" fill="none" stroke="#d62728" stroke-width="2"/>
<circle cx="{first['x']}" cy="{first['y']}" r="4" fill="#1f77b4"/>
<text x="4" y="12" font-size="10">insertion AUC {explanation.insertion_auc:.3f}</text></svg>
</div>
<script>{script}</script>
</div>"""


def _step(explanation: "Explanation", index: int) -> Dict[str, Union[str, float]]:
    step = explanation.steps[index]
    top: List[str] = [f"{score.label} {score.probability:.3f}" for score in step.prediction[:3]]
    caption = (f"{step.percent:.0f} % revealed: {'; '.join(top)} (class {explanation.target_class}: "
               f"{step.target_probability:.3f})")
    return {
        "src": data_uri(step.encoded, step.mime_type),
        "caption": caption,
        "x": round(step.percent / 100 * _CURVE_WIDTH, 1),
        "y": round((1 - min(1.0, max(0.0, step.target_probability))) * _CURVE_HEIGHT, 1),
    }
