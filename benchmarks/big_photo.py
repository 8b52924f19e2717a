"""Wall time and peak memory of every quantizer on one large photo, and the CLI's start-up time.

Prints one JSON object. ``methods``: for each method, the seconds and the peak resident memory (MiB) of a fresh
process that loads the photo and quantizes it to ``--colors`` colours (the classical methods through
:func:`~colorcnn_repro.quantizers.quantize`, the learned ones through the zoo's ``cpu`` weights, tile by tile),
with the time and memory of loading the photo alone as ``baseline``. ``cli``: the median wall time of
``colorcnn --help`` and of ``colorcnn quantize`` (MedianCut, 4 colours, a 32×32 PNG) over ``--repeats`` runs,
and whether the classical path imported torch. The photo is scikit-image's ``astronaut`` (512²) resized to
``--side``² with Lanczos and seeded noise (σ = 2 levels), so it has photo-like colour statistics at any size.

    python benchmarks/big_photo.py --side 6000            # 36 megapixels, classical methods
    python benchmarks/big_photo.py --side 6000 --learned  # and ColorCNN+ (minutes on 2 cores)
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
CLASSICAL = ("mediancut", "octree", "kmeans", "dither", "libimagequant")

# Run in a fresh process: load the photo, optionally quantize it, print seconds and peak RSS (KiB on Linux).
CHILD = """
import resource, sys, time
import numpy as np
from PIL import Image
Image.MAX_IMAGE_PIXELS = None
rgb = np.asarray(Image.open(sys.argv[1]).convert("RGB"))
method, colors = sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
if method == "colorcnn+":
    from colorcnn_repro.zoo import pretrained_quantizer
    q = pretrained_quantizer("colorcnn+", profile="cpu").quantize(rgb, colors, progress=False)
elif method != "baseline":
    from colorcnn_repro.quantizers import quantize
    q = quantize(rgb, method, colors)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


# Run in a fresh process, so that this one stays small: a child's peak RSS starts from its parent's on Linux.
PHOTO = """
import sys
import numpy as np
from PIL import Image
from skimage import data
side = int(sys.argv[2])
big = np.asarray(Image.fromarray(data.astronaut()).resize((side, side), Image.Resampling.LANCZOS))
noise = np.random.default_rng(0).normal(0.0, 2.0, big.shape)
Image.fromarray(np.clip(big + noise, 0, 255).astype(np.uint8)).save(sys.argv[1], compress_level=1)
"""


def measure(photo: Path, method: str, colors: int) -> dict[str, float]:
    """Seconds of the quantization and peak RSS (MiB) of a fresh process running it."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(photo), method, str(colors)], cwd=ROOT,
                          check=True, capture_output=True, text=True)
    seconds, peak_kib = done.stdout.split()[-2:]
    return {"seconds": round(float(seconds), 2), "peak_rss_mib": round(int(peak_kib) / 1024)}


def cli_times(repeats: int, workdir: Path) -> dict[str, object]:
    """Median wall seconds of `colorcnn --help` and of a MedianCut `colorcnn quantize` of a 32×32 PNG."""
    exe = shutil.which("colorcnn", path=str(Path(sys.executable).parent)) or "colorcnn"
    small = workdir / "small.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(small)
    commands = {"help": [exe, "--help"],
                "quantize_mediancut": [exe, "quantize", str(small), "--method", "mediancut", "--colors", "4",
                                       "--out", str(workdir / "out")]}
    out: dict[str, object] = {}
    for name, cmd in commands.items():
        walls = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
        out[f"{name}_wall_s"] = round(statistics.median(walls), 3)
    probe = "import sys, colorcnn_repro.cli, colorcnn_repro.quantizers; print('torch' in sys.modules)"
    out["classical_path_imports_torch"] = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout.strip() == "True"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--side", type=int, default=6000, help="photo side in pixels (default: %(default)s)")
    parser.add_argument("--colors", type=int, default=16, help="colours asked for (default: %(default)s)")
    parser.add_argument("--learned", action="store_true", help="also time ColorCNN+ from the cpu zoo")
    parser.add_argument("--repeats", type=int, default=5, help="CLI runs per command (default: %(default)s)")
    args = parser.parse_args()
    methods = ("baseline", *CLASSICAL, *(("colorcnn+",) if args.learned else ()))
    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / "photo.png"
        subprocess.run([sys.executable, "-c", PHOTO, str(photo), str(args.side)], check=True)
        results = {m: measure(photo, m, args.colors) for m in methods}
        cli = cli_times(args.repeats, Path(tmp))
    print(json.dumps({"megapixels": round(args.side**2 / 1e6, 1), "colors": args.colors, "methods": results,
                      "cli": cli, "cpu_count": os.cpu_count(), "python": platform.python_version()}, indent=2))


if __name__ == "__main__":
    main()
