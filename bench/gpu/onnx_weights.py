"""
Carries a large ONNX model to the GPU machine without its weights (the device tool moves 64 MiB a call):
  strip SRC DST  (here)   every float initializer of 1,024 values or more keeps its shape and loses its data
  fill  SRC DST  (there)  those initializers get random values, N(0, 0.02), from a fixed seed
Timings do not depend on the values, so a filled random-weight model times as the exported one.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto

MARK = "saliency_stripped"


def strip(src, dst):
    model = onnx.load(src)
    for tensor in model.graph.initializer:
        if tensor.data_type == TensorProto.FLOAT and int(np.prod(tensor.dims)) >= 1024:
            tensor.ClearField("raw_data")
            del tensor.float_data[:]
            tensor.doc_string = MARK
    onnx.save(model, dst)


def fill(src, dst):
    model = onnx.load(src)
    rng = np.random.default_rng(0)
    for tensor in model.graph.initializer:
        if tensor.doc_string == MARK:
            tensor.raw_data = (rng.standard_normal(int(np.prod(tensor.dims)), dtype=np.float32) * 0.02).tobytes()
            tensor.doc_string = ""
    onnx.checker.check_model(model)
    onnx.save(model, dst)


if __name__ == "__main__":
    {"strip": strip, "fill": fill}[sys.argv[1]](sys.argv[2], sys.argv[3])
