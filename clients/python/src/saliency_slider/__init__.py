"""Python client of the Saliency Slider service: explain an image classifier's prediction with Grad-CAM and a
slider of frames that rebuild the image from its most salient pixels.

    from saliency_slider import Client

    with Client("localhost:50051") as client:
        result = client.explain("cat.jpg", frames=11)
        print(result.prediction[0].label, result.insertion_auc)
        result  # in Jupyter: the image, the heatmap and the slider
"""
from .aio import AsyncClient
from .client import Client
from .errors import JobFailedError, SaliencyError, ServerError, StreamEndedError
from .events import (ClassScore, Completed, Event, ExplanationReady, FrameReady, Progress, Queued, Running,
                     SliderFrame, Submitted, Timings)
from .explanation import CurvePoint, Explanation
from .images import ImageInput
from .records import JobInfo, ModelInfo
from .request import BASELINES, METHODS

__all__ = [
    "AsyncClient", "BASELINES", "ClassScore", "Client", "Completed", "CurvePoint", "Event", "Explanation",
    "ExplanationReady", "FrameReady", "ImageInput", "JobFailedError", "JobInfo", "METHODS", "ModelInfo", "Progress", "Queued",
    "Running", "SaliencyError", "ServerError", "SliderFrame", "StreamEndedError", "Submitted", "Timings",
]
