#!/usr/bin/python3
"""PyTorch baseline for the engine benchmark.

For each architecture (torchvision, random weights from a fixed seed) this script
  1. exports the model to ONNX (opset 13, symbolic batch) so the engine runs the *same weights*;
  2. times, with torch's CPU build: a plain forward pass, Grad-CAM with autograd hooks
     (the pytorch-grad-cam recipe: forward hook on the target layer, tensor hook for its gradient,
     backward from the target logit, weights = spatial mean of the gradient, ReLU of the weighted sum),
     the same Grad-CAM with the parameters frozen (requires_grad_(False): backward from the logit to the
     target layer only, no parameter gradients) and the F-frame prediction batch under no_grad;
  3. writes the raw Grad-CAM of a fixed input tensor so the engine can check it computes the same CAM.
Results go to OUT/torch_results.json; models, input and CAMs to OUT/.
"""
import argparse
import json
import platform
import shutil
import statistics
import time
from pathlib import Path

import numpy as np
import onnx
import torch
import torchvision

ARCHITECTURES = {
    # name: (constructor, target module path, layout of its output: nchw, tokens ([N, 1+g², C], class token first) or nhwc)
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), "features.18", "nchw"),
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), "layer4", "nchw"),
    "vgg11": (lambda: torchvision.models.vgg11(weights=None), "features.20", "nchw"),
    # pytorch-grad-cam's layers for the transformers: the last block's first norm (ViT), the last stage (ConvNeXt).
    "vit_b_16": (lambda: torchvision.models.vit_b_16(weights=None), "encoder.layers.encoder_layer_11.ln_1", "tokens"),
    "convnext_tiny": (lambda: torchvision.models.convnext_tiny(weights=None), "features.7", "nchw"),
}


def reinitialize(model, input_side=224, seed=0):
    """
    Weights of order 1 everywhere: He-normal convolutions and linears, LayerNorm/BatchNorm affine parameters near
    1/0, ConvNeXt's layer scale near 1, and BatchNorm statistics measured on a batch of random images, so that every
    BatchNorm output is of order 1 as in a trained network. torchvision's own initialisation (with BatchNorm at
    identity) leaves some families with signals far below float32's resolution (ViT's zero head, ConvNeXt's 1e-6
    layer scale) and others growing without bound (EfficientNetV2's activations reached 1e7, where float32 rounding
    differences between two correct implementations compound).
    """
    generator = torch.Generator().manual_seed(seed)

    def uniform(t, low, high):
        t.copy_(torch.rand(t.shape, generator=generator) * (high - low) + low)

    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
                fan_in = module.weight[0].numel()
                module.weight.copy_(torch.randn(module.weight.shape, generator=generator) * (2.0 / fan_in) ** 0.5)
                if module.bias is not None:
                    uniform(module.bias, -0.1, 0.1)
            elif isinstance(module, (torch.nn.BatchNorm2d, torch.nn.LayerNorm, torch.nn.GroupNorm)):
                if module.weight is not None:
                    uniform(module.weight, 0.5, 1.5)
                    uniform(module.bias, -0.1, 0.1)
        for name, parameter in model.named_parameters():
            if name.endswith("layer_scale"):
                uniform(parameter, 0.5, 1.5)

        norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
        if norms:
            for norm in norms:
                norm.reset_running_stats()
                norm.momentum = None  # a cumulative average: after one batch, that batch's statistics
            model.train()
            model(torch.randn((2, 3, input_side, input_side), generator=generator))
    return model.eval()


def to_nchw(tensor, layout):
    """A target layer's output as [N, C, h, w]: pytorch-grad-cam's reshape_transform for token and channels-last layers."""
    if layout == "nchw":
        return tensor
    if layout == "nhwc":
        return tensor.permute(0, 3, 1, 2)
    if layout == "tokens":
        patches = tensor[:, 1:, :]
        side = int(round(patches.shape[1] ** 0.5))
        return patches.reshape(tensor.shape[0], side, side, tensor.shape[2]).permute(0, 3, 1, 2)
    raise ValueError(f"unknown layout {layout}")


def top1_margin(name, cam, logits):
    """The top-1 logit's lead over the runner-up; exits when the CAM is all zeros or the top class a near tie,
    which would make a comparison of two implementations meaningless rather than strict."""
    ranked = np.sort(logits[0].numpy())[::-1]
    margin = float(ranked[0] - ranked[1])
    if not cam.max() > 1e-3 or margin < 1e-3 * max(1.0, float(np.abs(ranked).max())):
        raise SystemExit(f"{name}: degenerate case (CAM max {cam.max():.3g}, top-1 margin {margin:.3g}); change the seed")
    return margin


def publish_cases(scratch, final, index, drop_stale=True):
    """Writes index.json into the finished scratch folder and renames it to `final` (so a cache folder with an index
    is always complete); with `drop_stale`, removes the other complete cache folders beside it (earlier inputs')."""
    (scratch / "index.json").write_text(json.dumps(index, indent=2))
    shutil.rmtree(final, ignore_errors=True)
    scratch.rename(final)
    for stale in final.parent.iterdir() if drop_stale else []:
        if stale != final and (stale / "index.json").exists():
            shutil.rmtree(stale)


def export_onnx(model, layer, x, path, opset=13, dynamic_batch=True):
    """
    Exports the model to ONNX and returns the name of the graph tensor that is `layer`'s output.
    The layer's output is exported as a second graph output (so the exporter names it exactly), renamed the way
    the exporter names an intermediate tensor (<node name>_output_<i>), and dropped from the graph outputs.
    """
    captured = {}

    def capture(_module, _inputs, output):
        captured["target"] = output
        return output.clone()  # in-place ops after the layer (DenseNet's final ReLU) must not rewrite it

    # The model itself returns (logits, target) while exporting, so node names keep their module scopes
    # ("/layer4/layer4.2/relu_2/Relu"), as in a plain export.
    forward = model.forward
    model.forward = lambda image: (forward(image), captured["target"])
    handle = layer.register_forward_hook(capture)
    try:
        axes = {"input": {0: "N"}, "logits": {0: "N"}, "target": {0: "N"}} if dynamic_batch else None
        torch.onnx.export(model, x, str(path), opset_version=opset, input_names=["input"],
                          output_names=["logits", "target"], dynamic_axes=axes, do_constant_folding=True)
    finally:
        handle.remove()
        del model.forward
    exported = onnx.load(str(path))
    graph = exported.graph
    producer = next(n for n in graph.node if "target" in n.output)
    name = f"{producer.name}_output_{list(producer.output).index('target')}" if producer.name else "saliency_target"
    for node in graph.node:
        for values in (node.input, node.output):
            for i, value in enumerate(values):
                if value == "target":
                    values[i] = name
    kept = [o for o in graph.output if o.name != "target"]
    del graph.output[:]
    graph.output.extend(kept)
    onnx.checker.check_model(exported)
    onnx.save(exported, str(path))
    return name


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
    """
    The pytorch-grad-cam recipe, reduced to Grad-CAM on one target layer (reshaped to NCHW by `layout`).

    frozen: the model's parameters must have requires_grad False (`model.requires_grad_(False)`). pytorch-grad-cam
    itself gets no gradient then (its hook skips an output that does not require grad, unless it is told to take
    gradients all the way to the input), so here the target layer's output is made the leaf of the backward pass:
    autograd then runs only from the logit back to that layer, computing no parameter gradients, which is the work
    the engine's gradient run does.
    """

    def __init__(self, model, layer, layout="nchw", clone_output=False, frozen=False):
        self.model = model
        self.layout = layout
        self.clone_output = clone_output
        self.frozen = frozen
        self.activation = None
        self.gradient = None
        self.handle = layer.register_forward_hook(self._save_activation)

    def _save_activation(self, _module, _inputs, output):
        if self.frozen and torch.is_grad_enabled():
            output = output.detach().requires_grad_(True)
        self.activation = output
        if not output.requires_grad:
            return None  # a no_grad forward (as pytorch-grad-cam does)

        def save_gradient(grad):
            self.gradient = grad

        output.register_hook(save_gradient)
        if self.frozen:
            return output
        # A copy for the rest of the network when it rewrites the layer's output in place (DenseNet's final ReLU).
        return output.clone() if self.clone_output else None

    def __call__(self, x):
        logits = self.model(x)
        target = int(logits[0].argmax())
        self.model.zero_grad()
        logits[0, target].backward()
        activation = to_nchw(self.activation, self.layout)
        gradient = to_nchw(self.gradient, self.layout)
        weights = gradient.mean(dim=(2, 3), keepdim=True)
        cam = torch.relu((weights * activation).sum(dim=1))[0]
        return cam.detach(), logits.detach(), target


def time_frozen(model, layer_path, layout, gradcam, x, cam, args):
    """Grad-CAM timed again with every parameter frozen; its CAM must equal the one with parameters that take gradients."""
    gradcam.handle.remove()
    model.requires_grad_(False)
    frozen = GradCam(model, model.get_submodule(layer_path), layout, frozen=True)
    frozen_cam, _, _ = frozen(x)
    scale = float(cam.abs().max()) or 1.0
    difference = float((frozen_cam - cam).abs().max()) / scale
    if difference > 1e-4:
        raise SystemExit(f"Grad-CAM with frozen parameters differs from autograd's by {difference:.2e} of the CAM's max")
    return timed(lambda: frozen(x), args.repeats, args.warmup)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--frames", type=int, default=21)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--frame-repeats", type=int, default=None, help="timed F-frame batches (default: max(3, repeats / 2))")
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
        construct, layer_path, layout = ARCHITECTURES[name]
        torch.manual_seed(0)
        model = reinitialize(construct())
        onnx_path = out / f"{name}.onnx"
        layer = export_onnx(model, model.get_submodule(layer_path), x, onnx_path)

        gradcam = GradCam(model, model.get_submodule(layer_path), layout)
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
            "layout": layout,
            "cam_shape": list(cam.shape),
            "top1": target,
            "top1_logit": float(logits[0, target]),
            "forward_ms": timed_or_skip(forward, args.repeats, args.warmup),
            "gradcam_ms": timed_or_skip(lambda: gradcam(x), args.repeats, args.warmup),
            "frames_ms": timed_or_skip(frame_batch, args.frame_repeats or max(3, args.repeats // 2), 1 if args.frame_repeats is None else 0),
            "gradcam_frozen_ms": [] if args.export_only else time_frozen(model, layer_path, layout, gradcam, x, cam, args),
        }
        m = results["models"][name]
        (out / f"{name}.results.json").write_text(json.dumps(m, indent=2))
        if args.export_only:
            print(f"{name}: exported to {onnx_path.name}, target layer {layer}", flush=True)
            continue
        print(f"{name}: forward {statistics.median(m['forward_ms']):.1f} ms, grad-cam {statistics.median(m['gradcam_ms']):.1f} ms "
              f"(parameters frozen: {statistics.median(m['gradcam_frozen_ms']):.1f} ms), "
              f"{args.frames} frames {statistics.median(m['frames_ms']):.1f} ms", flush=True)

    if not args.only_timings:
        (out / "torch_results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
