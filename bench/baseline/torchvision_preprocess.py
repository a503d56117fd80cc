#!/usr/bin/python3
"""torchvision's ImageNet preprocessing of each photo, for tests/Engine.Tests/Imaging/TorchvisionPreprocessingTests.cs.

For every image in --images: Resize(--shorter-side) then CenterCrop(--crop) on the PIL image (bilinear, antialiased,
as torchvision applies it to PIL images), written as OUT/<image file name>.rgb (crop x crop x 3 bytes, row-major);
OUT/index.json lists them. Nothing is cached (a few images take well under a second); the last line printed is OUT.
"""
import argparse
import json
from pathlib import Path

import torchvision.transforms as T
from PIL import Image


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--images", required=True)
    parser.add_argument("--shorter-side", type=int, default=256)
    parser.add_argument("--crop", type=int, default=224)
    args = parser.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    transform = T.Compose([T.Resize(args.shorter_side), T.CenterCrop(args.crop)])
    names = []
    for path in sorted(Path(args.images).iterdir()):
        if path.suffix.lower() not in {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif"}:
            continue
        with Image.open(path) as image:
            (out / f"{path.name}.rgb").write_bytes(transform(image.convert("RGB")).tobytes())
        names.append(path.name)
    (out / "index.json").write_text(json.dumps({"images": names, "shorter_side": args.shorter_side, "crop": args.crop}))
    print(out)


if __name__ == "__main__":
    main()
