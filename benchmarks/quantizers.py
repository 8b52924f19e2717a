"""Throughput of the classical quantizers on CIFAR-10 training images, and compiled vs per-pixel-loop dithering.

Prints one JSON object: images/s of every method (through :func:`quantize_batch`) at C = 2, 4, ..., 64 on the
first ``--n`` images of ``$COLORCNN_DATA/cifar10/train.npz``; and, on the same median-cut palettes, the time per
image of the compiled Floyd–Steinberg against the per-pixel Python loop (run on ``--loop-images`` images), with
their ratio and whether the two gave identical index maps.

    COLORCNN_DATA=/path/to/data python benchmarks/quantizers.py --n 10000
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from colorcnn_repro.paths import DATA_ENV as ENV_VAR  # noqa: E402
from colorcnn_repro.paths import data_root  # noqa: E402
from colorcnn_repro.quantizers import (  # noqa: E402
    METHODS,
    floyd_steinberg,
    floyd_steinberg_reference,
    quantize_batch,
)
from colorcnn_repro.quantizers.classical import RAW  # noqa: E402

COLOR_COUNTS = (2, 4, 8, 16, 32, 64)
T = TypeVar("T")


def load_cifar10_train(n: int) -> np.ndarray:
    """The first ``n`` CIFAR-10 training images, (n, 32, 32, 3) uint8."""
    path = data_root() / "cifar10" / "train.npz"
    if not path.exists():
        sys.exit(
            f"CIFAR-10 training images not found at {path}.\n"
            f"Set ${ENV_VAR} to the data root holding cifar10/train.npz (key 'images': N×32×32×3 uint8)."
        )
    with np.load(path) as data:
        images = data["images"]
    if len(images) < n:
        sys.exit(f"--n {n} asks for more images than the {len(images)} in {path}")
    return np.ascontiguousarray(images[:n])


def timed(fn: Callable[..., T], *args: object, **kwargs: object) -> tuple[T, float]:
    """``fn(*args, **kwargs)`` and the seconds it took."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def machine() -> dict[str, object]:
    return {
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "Pillow": version("Pillow"),
        "numpy": np.__version__,
        "imagequant": version("imagequant"),
    }


def throughput(images: np.ndarray, workers: int) -> dict[str, dict[str, float]]:
    """images/s of every method at every C."""
    out: dict[str, dict[str, float]] = {}
    for method in METHODS:
        out[method] = {}
        for colors in COLOR_COUNTS:
            _, seconds = timed(quantize_batch, images, method, colors, workers=workers)
            out[method][str(colors)] = round(len(images) / seconds, 1)
    return out


def dithering(images: np.ndarray, loop_images: int) -> dict[str, object]:
    """Compiled Floyd–Steinberg (all images; compiled or loaded from numba's cache before timing) vs the
    per-pixel Python loop (the first ``loop_images``)."""
    floyd_steinberg(images[:1], [images[0, :1, 0]])
    by_colors = {}
    for colors in COLOR_COUNTS:
        palettes = [RAW["mediancut"](image, colors)[1] for image in images]
        compiled, fast_seconds = timed(floyd_steinberg, images, palettes)
        loop, loop_seconds = timed(list, map(floyd_steinberg_reference, images[:loop_images], palettes))
        fast_per_image, loop_per_image = fast_seconds / len(images), loop_seconds / loop_images
        by_colors[str(colors)] = {
            "compiled_ms_per_image": round(1e3 * fast_per_image, 4),
            "loop_ms_per_image": round(1e3 * loop_per_image, 2),
            "speedup": round(loop_per_image / fast_per_image, 1),
            "identical": bool(np.array_equal(compiled[:loop_images], np.stack(loop))),
        }
    return {
        "loop": "per-pixel Python loop as in the authors' code (one distance per palette colour)",
        "loop_images": loop_images,
        "compiled_images": len(images),
        "by_colors": by_colors,
        "min_speedup": min(r["speedup"] for r in by_colors.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10000, help="CIFAR-10 training images (default 10000)")
    parser.add_argument("--loop-images", type=int, default=20, help="images for the per-pixel loop (default 20)")
    parser.add_argument("--workers", type=int, default=0, help="worker processes for quantize_batch (default 0)")
    args = parser.parse_args()
    images = load_cifar10_train(args.n)
    result = {
        "machine": machine(),
        "images": args.n,
        "image_shape": list(images.shape[1:]),
        "workers": args.workers,
        "colors": list(COLOR_COUNTS),
        "images_per_s": throughput(images, args.workers),
        "dithering": dithering(images, min(args.loop_images, args.n)),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
