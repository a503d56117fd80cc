"""Raw batched forward throughput (images/s) on the GPU, PyTorch fp32 with TF32 off, random weights."""
import time
import torch
import torchvision

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
print("torch", torch.__version__, "cudnn", torch.backends.cudnn.version(), torch.cuda.get_device_name(0))
dev = torch.device("cuda")
plan = {
    "mobilenet_v2": [1, 8, 21, 64, 128, 256, 512],
    "resnet18": [1, 8, 21, 64, 256],
    "convnext_tiny": [1, 8, 21, 64, 256],
    "vit_b_16": [1, 8, 21, 64, 256],
}
for bench_mode in (False, True):
    torch.backends.cudnn.benchmark = bench_mode
    for name, batches in plan.items():
        torch.manual_seed(0)
        model = getattr(torchvision.models, name)(weights=None).eval().to(dev)
        for b in batches:
            x = torch.randn(b, 3, 224, 224, device=dev)
            with torch.inference_mode():
                for _ in range(5):
                    model(x)
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                n = 0
                while True:
                    model(x)
                    n += 1
                    if n >= 10 and time.perf_counter() - t0 > 0.4:
                        break
                torch.cuda.synchronize()
                ms = (time.perf_counter() - t0) / n * 1000
            print(f"cudnn.benchmark={int(bench_mode)} {name} batch {b}: {ms:.3f} ms per batch, {b / ms * 1000:.0f} images/s", flush=True)
        del model
        torch.cuda.empty_cache()
    if not bench_mode:
        print("-- the same with cudnn.benchmark on")
