#!/usr/bin/env bash
# The GPU bench on a lent device, from the repository root with .gpu/b carried and /tmp/gpu holding .gpu/a
# (bench/gpu/pack.sh says how): bash bench/gpu/engine.sh [profile]. Results: $OUT/gpu-bench.md (not with profile),
# $OUT/engine.log, $OUT/gpu.csv.
set -euo pipefail
out=${OUT:-/tmp}
exec > >(tee "$out/engine.log") 2>&1
provider=/tmp/gpu/libonnxruntime_providers_cuda.so.xz
[[ -f $provider ]] || provider=.gpu/a/libonnxruntime_providers_cuda.so.xz
if [[ ! -f $provider ]]; then
  echo "no $provider: the machine was given back between the two runs"
  exit 3
fi
b=.gpu/b
run=/tmp/gpu/run
rm -rf "$run" && mkdir -p "$run/app" "$run/torch"
echo "== commit $(cat $b/COMMIT); $(date -u)"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
tar -C "$run/app" -xJf "$b/enginebench.tar.xz"
xz -dc "$provider" >"$run/app/libonnxruntime_providers_cuda.so"
cp "$b"/torch/*.json "$b"/torch/*.f32 "$run/torch/"
for m in vit_b_16 convnext_tiny; do
  python3 bench/gpu/onnx_weights.py fill "$b/torch/$m.onnx" "$run/torch/$m.onnx"
done

# CUDA 13 and cuDNN 9, as ONNX Runtime 1.31's provider links them: the toolkit's, the system's, then PyTorch's wheels'.
cuda_libs=/usr/local/cuda-13.0/lib64:/usr/local/cuda/lib64:/usr/lib/x86_64-linux-gnu
for lib in $(python3 -c 'import nvidia, os; [print(p) for d in nvidia.__path__ for p in sorted(os.path.join(d, n, "lib") for n in os.listdir(d)) if os.path.isdir(p)]' 2>/dev/null); do
  cuda_libs=$cuda_libs:$lib
done
export LD_LIBRARY_PATH=$cuda_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used,clocks.sm --format=csv -l 1 >"$out/gpu.csv" &
monitor=$!
trap 'kill $monitor 2>/dev/null || true' EXIT
bench=("$run/app/SaliencySlider.EngineBench" --models-dir "$b/models" --manifests models --image "$b/images/chelsea.png")
if [[ ${1:-} == profile ]]; then
  # Where a GPU job's CPU goes: its CPU time against its frame count. Runs to compare (a runtime setting, say)
  # alternate here, each in a process of its own, as in docs/GPU-CHECKS.md.
  "${bench[@]}" --gpu-profile
else
  "${bench[@]}" --gpu --torch "$run/torch" --doc "$out/gpu-bench.md"
fi
