#!/usr/bin/python3
"""PyTorch baseline for the engine benchmark.

For each architecture (torchvision, random weights from a fixed seed) this script
  1. exports the model to ONNX (opset 13, symbolic batch) so the engine runs the *same weights*;
  2. times, with torch's CPU build: a plain forward pass, Grad-CAM with autograd hooks
     (the pytorch-grad-cam recipe: forward hook on the target layer, tensor hook for its gradient,
     backward from the target logit, weights = spatial mean of the gradient, ReLU of the weighted sum),
     and the F-frame prediction batch under no_grad;
  3. writes the raw Grad-CAM of a fixed input tensor so the engine can check it computes the same CAM.
Results go to OUT/torch_results.json; models, input and CAMs to OUT/.
"""
import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import onnx
import torch
import torchvision

ARCHITECTURES = {
    # name: (constructor, target module path, ONNX op whose output is the target tensor (searched from the end))
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), "features.18", "Clip"),
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), "layer4", "Relu"),
    "vgg11": (lambda: torchvision.models.vgg11(weights=None), "features.20", "MaxPool"),
}


def module_at(model, path):
    module = model
    for part in path.split("."):
        module = module[int(part)] if part.isdigit() else getattr(module, part)
    return module


def timed(fn, repeats, warmup):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    return samples


class GradCam:
    """The pytorch-grad-cam recipe, reduced to Grad-CAM on one target layer."""

    def __init__(self, model, layer):
        self.model = model
        self.activation = None
        self.gradient = None
        layer.register_forward_hook(self._save_activation)

    def _save_activation(self, _module, _inputs, output):
        self.activation = output
        if not output.requires_grad:
            return  # a no_grad forward (as pytorch-grad-cam does)

        def save_gradient(grad):
            self.gradient = grad

        output.register_hook(save_gradient)

    def __call__(self, x):
        logits = self.model(x)
        target = int(logits[0].argmax())
        self.model.zero_grad()
        logits[0, target].backward()
        weights = self.gradient.mean(dim=(2, 3), keepdim=True)
        cam = torch.relu((weights * self.activation).sum(dim=1))[0]
        return cam.detach(), logits.detach(), target


def target_tensor_name(onnx_path, op_type):
    graph = onnx.load(str(onnx_path)).graph
    pooling = {"GlobalAveragePool", "AveragePool", "Flatten", "Reshape"}
    # The target is the last op_type output that feeds the classifier head (after it come only pooling/flatten/linear ops).
    candidates = [n for n in graph.node if n.op_type == op_type]
    if not candidates:
        raise SystemExit(f"{onnx_path}: no {op_type} node")
    name = candidates[-1].output[0]
    consumers = [n.op_type for n in graph.node if name in n.input]
    if not set(consumers) & pooling:
        raise SystemExit(f"{onnx_path}: {name} feeds {consumers}, not the pooling head")
    return name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--frames", type=int, default=21)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--models", default=",".join(ARCHITECTURES))
    parser.add_argument("--export-only", action="store_true", help="export the models and CAMs, time nothing")
    parser.add_argument("--only-timings", action="store_true",
                        help="rewrite only OUT/<model>.results.json (the engine bench re-times a model right before timing it)")
    args = parser.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(1234)
    probe = rng.standard_normal((1, 3, 224, 224), dtype=np.float32)
    probe.tofile(out / "probe_input.f32")
    frames = torch.from_numpy(rng.standard_normal((args.frames, 3, 224, 224), dtype=np.float32))
    x = torch.from_numpy(probe)

    results = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "python": platform.python_version(),
        "threads": args.threads,
        "frames": args.frames,
        "repeats": args.repeats,
        "warmup": args.warmup,
        "models": {},
    }
    for name in args.models.split(","):
        construct, layer_path, op_type = ARCHITECTURES[name]
        torch.manual_seed(0)
        model = construct().eval()
        onnx_path = out / f"{name}.onnx"
        torch.onnx.export(
            model, x, str(onnx_path), opset_version=13, input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True)
        layer = target_tensor_name(onnx_path, op_type)

        gradcam = GradCam(model, module_at(model, layer_path))
        cam, logits, target = gradcam(x)
        cam.numpy().astype(np.float32).tofile(out / f"{name}.cam.f32")

        def forward():
            with torch.no_grad():
                model(x)

        def frame_batch():
            with torch.no_grad():
                model(frames)

        if args.export_only:
            timed_or_skip = lambda fn, repeats, warmup: []
        else:
            timed_or_skip = timed
        results["models"][name] = {
            "onnx": onnx_path.name,
            "target_layer": layer,
            "cam_shape": list(cam.shape),
            "top1": target,
            "top1_logit": float(logits[0, target]),
            "forward_ms": timed_or_skip(forward, args.repeats, args.warmup),
            "gradcam_ms": timed_or_skip(lambda: gradcam(x), args.repeats, args.warmup),
            "frames_ms": timed_or_skip(frame_batch, max(3, args.repeats // 2), 1),
        }
        m = results["models"][name]
        (out / f"{name}.results.json").write_text(json.dumps(m, indent=2))
        if args.export_only:
            print(f"{name}: exported to {onnx_path.name}, target layer {layer}", flush=True)
            continue
        print(f"{name}: forward {statistics.median(m['forward_ms']):.1f} ms, grad-cam {statistics.median(m['gradcam_ms']):.1f} ms, "
              f"{args.frames} frames {statistics.median(m['frames_ms']):.1f} ms", flush=True)

    if not args.only_timings:
        (out / "torch_results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
