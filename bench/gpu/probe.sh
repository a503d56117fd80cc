#!/usr/bin/env bash
# GPU machine probe (issue 16, item 5), run on a lent device from the repository root with $OUT set:
#   bash bench/gpu/probe.sh
# Says whether the machine can run the engine on CUDA (a .NET runtime; ONNX Runtime's CUDA provider and the CUDA 13
# and cuDNN 9 libraries it links), and times the bench models' raw batched forward passes on the GPU in PyTorch
# (fp32, TF32 off) as the denominator of "jobs/s per GPU against the model's raw batched forward throughput".
# Results: docs/GPU-CHECKS.md.
exec > >(tee "${OUT:-/tmp}/probe.log") 2>&1
echo "== machine"; date -u; nproc; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm --format=csv
echo "== python onnxruntime"; python3 -c "import onnxruntime as o; print(o.__version__, o.get_available_providers())"
python3 -m pip list 2>/dev/null | grep -i -E '^onnxruntime'
echo "== dotnet"; command -v dotnet || echo "no dotnet on PATH"; ls -d /usr/share/dotnet /usr/lib/dotnet /opt/dotnet ~/.dotnet 2>&1
echo "== ORT CUDA provider and its CUDA 13 libraries"
timeout 60 find / -xdev \( -name 'libonnxruntime_providers_cuda.so*' -o -name 'libcudnn.so.9*' -o -name 'libcublasLt.so.13*' -o -name 'libcudart.so.13*' -o -name 'libcurand.so.10*' \) 2>/dev/null | head -20
echo "== throughput"
PYTHONUNBUFFERED=1 timeout 300 python3 bench/gpu/forward_throughput.py
