#!/usr/bin/env bash
# Packs the GPU bench (issue 16's GPU item) for a lent device that has neither a .NET runtime nor ONNX Runtime's CUDA
# provider, in two folders that each fit the device tool's 64 MiB a call (the repository travels too):
#   .gpu/a  the CUDA provider of Microsoft.ML.OnnxRuntime.Gpu.Linux with only sm_90 code (prune_fatbin.py), xz
#   .gpu/b  EngineBench published self-contained with that package, the default model, the test photos, and
#           ViT-B/16 and ConvNeXt-T exported without their weights (onnx_weights.py)
# On the device, back to back (the machine is given back after 30 s idle, and /tmp goes with it):
#   run 1, carry .gpu/a:  mkdir -p /tmp/gpu && cp .gpu/a/* /tmp/gpu/
#   run 2, carry .gpu/b:  bash bench/gpu/engine.sh
# Usage, from the repository root with ../shared beside it: bash bench/gpu/pack.sh
set -euo pipefail
python=${PYTHON:-/usr/bin/python3} # Debian's, with torch, torchvision and onnx
limit=$((58 * 1024 * 1024))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grep -qxF '/.gpu/' .git/info/exclude || echo '/.gpu/' >>.git/info/exclude
rm -rf .gpu && mkdir -p .gpu/a .gpu/b/models .gpu/b/images .gpu/b/torch

dotnet publish bench/EngineBench -c Release -r linux-x64 --self-contained -p:OrtFlavor=Gpu -o "$work/app" -v q -nologo
"$python" bench/gpu/prune_fatbin.py "$work/app/libonnxruntime_providers_cuda.so" "$work/cuda.so"
xz -T0 -9 -c "$work/cuda.so" >.gpu/a/libonnxruntime_providers_cuda.so.xz
rm "$work/app/libonnxruntime_providers_cuda.so" "$work/app/libonnxruntime_providers_tensorrt.so"
tar -C "$work/app" -cf - . | xz -T0 -9 >.gpu/b/enginebench.tar.xz

cp ../shared/models/*.onnx ../shared/models/*.txt .gpu/b/models/
cp ../shared/testdata/images/* .gpu/b/images/
"$python" bench/baseline/torch_gradcam.py --out "$work/torch" --models vit_b_16,convnext_tiny --export-only
for m in vit_b_16 convnext_tiny; do
  "$python" bench/gpu/onnx_weights.py strip "$work/torch/$m.onnx" ".gpu/b/torch/$m.onnx"
done
cp "$work"/torch/*.json "$work"/torch/*.f32 .gpu/b/torch/
echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!docs' || echo +dirty)" >.gpu/b/COMMIT

for part in .gpu/a .gpu/b; do
  size=$(du -sb "$part" | cut -f1)
  echo "$part: $((size / 1024 / 1024)) MiB"
  if ((size > limit)); then echo "$part is over $((limit / 1024 / 1024)) MiB" >&2; exit 1; fi
done
