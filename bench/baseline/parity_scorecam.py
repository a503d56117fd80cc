#!/usr/bin/python3
"""Score-CAM parity cases for tests/Engine.Tests/Parity/ScoreCamParityTests.cs.

ScoreCam below is pytorch-grad-cam's ScoreCAM (pytorch_grad_cam/score_cam.py and base_cam.py): the target layer's
activations upsampled to the input with torch.nn.UpsamplingBilinear2d (align_corners=True), each channel scaled to
(x - min) / (max - min + 1e-8), multiplied with the preprocessed input; each masked input's logit of the target class
(top-1 of the plain forward pass) is the channel's score; weights = softmax over the channels; CAM = ReLU(sum_k w_k A_k)
at the layer's resolution (before pytorch-grad-cam's final min-max scaling and resize). Optionally only the `cap`
channels of highest activation variance are scored ("Faster Score-CAM"), as the engine's channel cap does.

Cases, written to OUT/<key>/<case>/ (meta.json, input.f32, cam.f32, scores.f32 with NaN for channels not scored):
  resnet18      torchvision ResNet-18 (random weights of order 1, fixed seed) at 128x128, layer4, every channel;
                model.onnx and model.json are its ONNX export (opset 13, dynamic batch)
  mobilenet_v2  the served default model (--mobilenet, an ONNX graph of Conv/Clip/Add/GlobalAveragePool/Reshape/Slice)
                run by PyTorch from its own initializers (OnnxAsTorch), at its default layer, with the CPU default cap
<key> hashes this script, torch_gradcam.py, the default model and the torch version; the last line printed is the folder.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn.functional as F
import torchvision
from onnx import numpy_helper
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from torch_gradcam import export_onnx, publish_cases, reinitialize, to_nchw, top1_margin  # noqa: E402

MOBILENET_LAYER = "MobilenetV2/Conv_1/Relu6"  # models/mobilenet_v2_1.0_224.json's targetLayer
MOBILENET_CAP = 64  # the engine's ExplainLimits.CpuScoreCamChannels
BATCH_SIZE = 16  # pytorch-grad-cam's default


class ScoreCam:
    """pytorch-grad-cam's ScoreCAM on one target layer (reshaped to NCHW by `layout`), with an optional channel cap."""

    def __init__(self, model, layer, layout="nchw"):
        self.model = model
        self.layout = layout
        self.activation = None
        layer.register_forward_hook(self._save)

    def _save(self, _module, _inputs, output):
        self.activation = output

    def __call__(self, x, cap=None):
        with torch.no_grad():
            logits = self.model(x)
            target = int(logits[0].argmax())
            activations = to_nchw(self.activation, self.layout).detach().clone()
            channels = select_channels(activations[0], cap)
            activations = activations[:, channels]

            upsample = torch.nn.UpsamplingBilinear2d(size=x.shape[-2:])
            upsampled = upsample(activations)
            maxs = upsampled.view(upsampled.size(0), upsampled.size(1), -1).max(dim=-1)[0]
            mins = upsampled.view(upsampled.size(0), upsampled.size(1), -1).min(dim=-1)[0]
            maxs, mins = maxs[:, :, None, None], mins[:, :, None, None]
            upsampled = (upsampled - mins) / (maxs - mins + 1e-8)
            input_tensors = x[:, None, :, :] * upsampled[:, :, None, :, :]

            scores = []
            tensor = input_tensors[0]
            for i in range(0, tensor.size(0), BATCH_SIZE):
                scores.extend(float(o[target]) for o in self.model(tensor[i:i + BATCH_SIZE]))
            scores = torch.tensor(scores)
            weights = torch.nn.Softmax(dim=-1)(scores).numpy()
            cam = np.maximum((weights[:, None, None] * activations[0].numpy()).sum(axis=0), 0)
        all_scores = np.full(self.activation_channels(), np.nan, dtype=np.float32)
        all_scores[channels] = scores.numpy()
        return cam.astype(np.float32), all_scores, target, logits

    def activation_channels(self):
        return to_nchw(self.activation, self.layout).shape[1]


def select_channels(activations, cap):
    """Every channel, or the `cap` of highest population variance over the positions (ties: lower index), ascending."""
    count = activations.shape[0]
    if cap is None or cap >= count:
        return list(range(count))
    variances = activations.double().reshape(count, -1).var(dim=1, unbiased=False).numpy()
    order = sorted(range(count), key=lambda k: (-variances[k], k))
    # A near tie at the cut would let float rounding pick another channel set on either side.
    gap = variances[order[cap - 1]] - variances[order[cap]]
    if gap < 1e-4 * variances[order[cap - 1]]:
        raise SystemExit(f"channels {order[cap - 1]} and {order[cap]} tie in variance at the cap of {cap}; choose another input")
    return sorted(order[:cap])


class OnnxAsTorch(torch.nn.Module):
    """An ONNX graph of Conv, Clip, Add, GlobalAveragePool, Reshape and Slice nodes run with torch ops on its own initializers."""

    def __init__(self, path, target):
        super().__init__()
        model = onnx.load(str(path))
        self.graph = model.graph
        self.weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in self.graph.initializer}
        self.target_name = target
        self.target = torch.nn.Identity()  # the target tensor passes through it, for the forward hook

    def forward(self, x):
        values = dict(self.weights)
        values[self.graph.input[0].name] = x
        for node in self.graph.node:
            inputs = [values[name] if name else None for name in node.input]
            attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            output = self.run(node.op_type, inputs, attributes)
            if node.output[0] == self.target_name:
                output = self.target(output)
            values[node.output[0]] = output
        return values[self.graph.output[0].name]

    @staticmethod
    def run(op, inputs, attributes):
        if op == "Conv":
            top, left, bottom, right = attributes.get("pads", [0, 0, 0, 0])
            x = F.pad(inputs[0], (left, right, top, bottom))
            return F.conv2d(x, inputs[1], inputs[2] if len(inputs) > 2 else None, stride=attributes.get("strides", [1, 1]),
                            dilation=attributes.get("dilations", [1, 1]), groups=attributes.get("group", 1))
        if op == "Clip":
            return torch.clamp(inputs[0], float(inputs[1]), float(inputs[2]))
        if op == "Add":
            return inputs[0] + inputs[1]
        if op == "GlobalAveragePool":
            return inputs[0].mean(dim=(2, 3), keepdim=True)
        if op == "Reshape":
            shape = [inputs[0].shape[i] if d == 0 else int(d) for i, d in enumerate(inputs[1].tolist())]
            return inputs[0].reshape(shape)
        if op == "Slice":
            starts, ends, axes = (t.tolist() for t in inputs[1:4])
            index = [slice(None)] * inputs[0].dim()
            for start, end, axis in zip(starts, ends, axes):
                index[axis] = slice(start, min(end, inputs[0].shape[axis]))
            return inputs[0][tuple(index)]
        raise ValueError(f"OnnxAsTorch has no {op}")


def photo_tensor(image, side, shorter_side):
    """The photo as a [1, 3, side, side] input: shorter side scaled to `shorter_side`, centre crop, pixels / 127.5 - 1."""
    photo = Image.open(image).convert("RGB")
    scale = shorter_side / min(photo.size)
    photo = photo.resize((round(photo.width * scale), round(photo.height * scale)), Image.BILINEAR)
    left, top = (photo.width - side) // 2, (photo.height - side) // 2
    pixels = np.asarray(photo.crop((left, top, left + side, top + side)), dtype=np.float32) / 127.5 - 1
    return torch.from_numpy(np.ascontiguousarray(pixels.transpose(2, 0, 1))[None])


def write_case(folder, name, cam, scores, target, logits, x, cap, extra):
    margin = top1_margin(name, cam, logits)
    x.numpy().tofile(folder / "input.f32")
    cam.tofile(folder / "cam.f32")
    scores.tofile(folder / "scores.f32")
    meta = {"case": name, "cam": list(cam.shape), "top1": target, "top1_margin": margin, "cap": cap,
            "channels": int(scores.size), "scored": int(np.isfinite(scores).sum()), **extra}
    (folder / "meta.json").write_text(json.dumps(meta, indent=2))
    return meta


def resnet18_case(folder, _args):
    side = 128
    torch.manual_seed(0)
    model = reinitialize(torchvision.models.resnet18(weights=None, num_classes=10), side)
    x = torch.from_numpy(np.random.default_rng(1234).standard_normal((1, 3, side, side), dtype=np.float32))
    target = export_onnx(model, model.layer4, x, folder / "model.onnx")
    (folder / "model.json").write_text(json.dumps({"name": "resnet18", "onnx": "model.onnx", "inputWidth": side, "inputHeight": side,
                                                   "targetLayer": target, "targetLayout": "nchw"}, indent=2))
    cam, scores, top1, logits = ScoreCam(model, model.layer4)(x)
    return write_case(folder, "resnet18", cam, scores, top1, logits, x, None, {"target": target, "input": [side, side]})


def mobilenet_case(folder, args):
    model = OnnxAsTorch(args.mobilenet, MOBILENET_LAYER).eval()
    x = photo_tensor(args.image, 224, 256)
    cam, scores, top1, logits = ScoreCam(model, model.target)(x, cap=MOBILENET_CAP)
    return write_case(folder, "mobilenet_v2", cam, scores, top1, logits, x, MOBILENET_CAP, {"target": MOBILENET_LAYER, "input": [224, 224]})


CASES = {"resnet18": resnet18_case, "mobilenet_v2": mobilenet_case}


def cache_key(args):
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in (here / "parity_scorecam.py", here / "torch_gradcam.py", Path(args.mobilenet), Path(args.image)):
        digest.update(path.read_bytes())
    digest.update(f"{torch.__version__} {torchvision.__version__}".encode())
    return digest.hexdigest()[:16]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="cache root; the cases go to OUT/<hash of the inputs>")
    parser.add_argument("--mobilenet", required=True, help="the default model's .onnx (../shared/models/mobilenet_v2_1.0_224.onnx)")
    parser.add_argument("--image", required=True, help="the photo the mobilenet case explains")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    final = Path(args.out) / cache_key(args)
    if (final / "index.json").exists():
        print(final)
        return
    torch.set_num_threads(args.threads)
    scratch = final.with_name(final.name + f".tmp{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        index = {}
        for name, case in CASES.items():
            start = time.perf_counter()
            (scratch / name).mkdir(parents=True)
            index[name] = case(scratch / name, args)
            print(f"{name}: {index[name]['scored']} of {index[name]['channels']} channels scored, CAM {index[name]['cam']}, "
                  f"top-1 {index[name]['top1']}, {time.perf_counter() - start:.1f} s", flush=True)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    publish_cases(scratch, final, index)
    print(final)


if __name__ == "__main__":
    main()
