#!/usr/bin/python3
"""Grad-CAM parity cases for tests/Engine.Tests/Parity: one per torchvision family (and opset).

For each case this exports a torchvision model (its real class, in a configuration small enough for CI; random
weights of order 1 from a fixed seed) to ONNX with a dynamic batch, and writes to OUT/<key>/<case>/:
  model.onnx      the graph (the target layer's output is a named intermediate tensor)
  model.json      a model manifest naming the target layer and its layout (absent for bare-.onnx cases)
  input.f32       the input tensor [1, 3, H, W], float32 little-endian
  cam.f32         PyTorch autograd Grad-CAM [h, w] (the pytorch-grad-cam recipe, as in torch_gradcam.py)
  activation.f32, gradient.f32  the target layer's output and its gradient as PyTorch has them (graph layout)
  meta.json       family, opset, target tensor, layout, input and CAM shapes, top-1 class and its margin
<key> hashes this script, torch_gradcam.py and the torch version, so a rerun with nothing changed only prints
the folder. The last line printed is always the folder of the cases.
"""
import argparse
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch
import torchvision
from torchvision.models import convnext, maxvit, swin_transformer, vision_transformer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from torch_gradcam import GradCam, export_onnx, publish_cases, reinitialize, top1_margin  # noqa: E402

CLASSES = 10


def vgg16_bn():
    # The real VGG16-BN features; the 4096-wide head (120M weights) narrowed to keep the export small.
    model = torchvision.models.vgg16_bn(weights=None, num_classes=CLASSES)
    model.classifier[0] = torch.nn.Linear(512 * 7 * 7, 64)
    model.classifier[3] = torch.nn.Linear(64, 64)
    model.classifier[6] = torch.nn.Linear(64, CLASSES)
    return model


def alexnet():
    model = torchvision.models.alexnet(weights=None, num_classes=CLASSES)
    model.classifier[1] = torch.nn.Linear(256 * 6 * 6, 64)
    model.classifier[4] = torch.nn.Linear(64, 64)
    model.classifier[6] = torch.nn.Linear(64, CLASSES)
    return model


def convnext_small_config():
    stages = [convnext.CNBlockConfig(16, 32, 2), convnext.CNBlockConfig(32, 64, 2),
              convnext.CNBlockConfig(64, 128, 2), convnext.CNBlockConfig(128, None, 2)]
    return convnext.ConvNeXt(stages, num_classes=CLASSES)


def vit_small_config():
    return vision_transformer.VisionTransformer(image_size=112, patch_size=16, num_layers=2, num_heads=2,
                                                hidden_dim=32, mlp_dim=64, num_classes=CLASSES)


def swin_small_config():
    return swin_transformer.SwinTransformer(patch_size=[4, 4], embed_dim=16, depths=[2, 2, 2, 2], num_heads=[1, 2, 4, 8],
                                            window_size=[7, 7], stochastic_depth_prob=0.0, num_classes=CLASSES)


def maxvit_small_config():
    return maxvit.MaxVit(input_size=(224, 224), stem_channels=8, partition_size=7, block_channels=[8, 16, 32, 64],
                         block_layers=[1, 1, 1, 1], head_dim=8, stochastic_depth_prob=0.0, num_classes=CLASSES)


def tv(name, **kwargs):
    return lambda: getattr(torchvision.models, name)(weights=None, num_classes=CLASSES, **kwargs)


# case: (constructor, target module (pytorch-grad-cam's recommended layer), layout, input side, opset, bare .onnx)
# VGG and AlexNet keep 224 (ONNX exports their adaptive pooling only when it divides the feature map).
CASES = {
    "resnet50": (tv("resnet50"), "layer4.2", "nchw", 128, 13, False),
    "resnext50_32x4d": (tv("resnext50_32x4d"), "layer4.2", "nchw", 128, 13, False),
    "vgg16_bn": (vgg16_bn, "features.43", "nchw", 224, 13, False),
    "alexnet": (alexnet, "features.12", "nchw", 224, 13, False),
    "densenet121": (tv("densenet121"), "features.norm5", "nchw", 128, 13, False),
    "googlenet": (tv("googlenet", aux_logits=False, init_weights=True), "inception5b", "nchw", 128, 13, False),
    # Inception v3 keeps its fixed 299×299 graph input and is loaded as a bare .onnx (input size from the graph).
    "inception_v3": (tv("inception_v3", aux_logits=False, init_weights=True), "Mixed_7c", "nchw", 299, 13, True),
    "mobilenet_v3_large": (tv("mobilenet_v3_large"), "features.16", "nchw", 128, 13, False),
    "efficientnet_b0": (tv("efficientnet_b0"), "features.8", "nchw", 128, 13, False),
    "efficientnet_v2_s": (tv("efficientnet_v2_s"), "features.7", "nchw", 128, 13, False),
    "mnasnet1_0": (tv("mnasnet1_0"), "layers.16", "nchw", 128, 13, False),
    "shufflenet_v2_x1_0": (tv("shufflenet_v2_x1_0"), "conv5", "nchw", 128, 13, False),
    "squeezenet1_1": (tv("squeezenet1_1"), "features.12", "nchw", 128, 13, False),
    "regnet_y_400mf": (tv("regnet_y_400mf"), "trunk_output", "nchw", 128, 13, False),
    "convnext_tiny": (convnext_small_config, "features.7", "nchw", 128, 13, False),
    "convnext_tiny-opset17": (convnext_small_config, "features.7", "nchw", 128, 17, False),
    "swin_t": (swin_small_config, "features.7.1.norm1", "nhwc", 224, 13, False),
    "vit_b_16": (vit_small_config, "encoder.layers.encoder_layer_1.ln_1", "tokens", 112, 13, False),
    "vit_b_16-opset17": (vit_small_config, "encoder.layers.encoder_layer_1.ln_1", "tokens", 112, 17, False),
    "maxvit_t": (maxvit_small_config, "blocks.3", "nchw", 224, 13, False),
}


def cache_key():
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for script in ("parity_families.py", "torch_gradcam.py"):
        digest.update((here / script).read_bytes())
    digest.update(f"{torch.__version__} {torchvision.__version__}".encode())
    return digest.hexdigest()[:16]


def export_case(name, folder):
    start = time.perf_counter()
    torch.set_num_threads(1)
    construct, layer_path, layout, side, opset, bare = CASES[name]
    torch.manual_seed(0)
    model = reinitialize(construct(), side)
    layer = model.get_submodule(layer_path)
    x = torch.from_numpy(np.random.default_rng(1234).standard_normal((1, 3, side, side), dtype=np.float32))
    folder.mkdir(parents=True)
    target = export_onnx(model, layer, x, folder / "model.onnx", opset=opset)

    gradcam = GradCam(model, layer, layout, clone_output=True)
    cam, logits, top1 = gradcam(x)
    cam = cam.numpy().astype(np.float32)
    margin = top1_margin(name, cam, logits)

    x.numpy().tofile(folder / "input.f32")
    cam.tofile(folder / "cam.f32")
    gradcam.activation.detach().numpy().tofile(folder / "activation.f32")
    gradcam.gradient.numpy().tofile(folder / "gradient.f32")
    meta = {
        "case": name, "family": name.split("-")[0], "opset": opset, "module": layer_path, "target": target,
        "layout": layout, "input": [side, side], "cam": list(cam.shape), "top1": top1, "top1_margin": margin,
        "cam_max": float(cam.max()), "bare": bare,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2))
    if not bare:
        manifest = {"name": name, "onnx": "model.onnx", "inputWidth": side, "inputHeight": side,
                    "targetLayer": target, "targetLayout": layout}
        if layout == "tokens":
            manifest["prefixTokens"] = 1  # the class token
        (folder / "model.json").write_text(json.dumps(manifest, indent=2))
    print(f"{name}: {target} {layout} CAM {meta['cam']} max {meta['cam_max']:.3g}, top-1 {top1} (margin {margin:.3g}), "
          f"{time.perf_counter() - start:.1f} s", flush=True)
    return meta


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="cache root; the cases go to OUT/<hash of this script and torch>")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated subset (written to a scratch folder)")
    args = parser.parse_args()

    names = args.cases.split(",")
    subset = set(names) != set(CASES)
    final = Path(args.out) / (cache_key() + ("-subset" if subset else ""))
    if not subset and (final / "index.json").exists():
        print(final)
        return
    scratch = final.with_name(final.name + f".tmp{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    # One case per core, one torch thread each: exporting is mostly single-threaded Python.
    workers = max(1, min(len(names), os.cpu_count() or 1))
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            jobs = {name: pool.submit(export_case, name, scratch / name) for name in names}
            index = {name: job.result() for name, job in jobs.items()}
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    publish_cases(scratch, final, index, drop_stale=not subset)
    print(final)


if __name__ == "__main__":
    main()
