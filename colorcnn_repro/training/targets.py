"""MedianCut imitation targets, computed once per dataset image and C with the batched quantizer and
cached on disk (never recomputed per sample per epoch). Each cache entry is written atomically under a file
lock, so processes asking for the same targets at once compute them once."""
from __future__ import annotations

import hashlib
import os

import numpy as np
import torch

from .. import progress
from ..paths import cache_root
from ..quantizers.batched import quantize_batch
from ..store import file_lock


def images_digest(images: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(images).view(np.uint8).data).hexdigest()[:16]


def imitation_targets(images: np.ndarray, colors: tuple[int, ...], method: str = "mediancut",
                      chunk: int = 2000, workers: int | None = None) -> dict[int, torch.Tensor]:
    """{C: N×H×W uint8 index maps} of ``method`` on ``images`` (N×H×W×3 uint8), cached by content."""
    workers = (os.cpu_count() or 1) if workers is None else workers
    digest = images_digest(images)
    out = {}
    for c in colors:
        path = cache_root() / "targets" / f"{method}-{digest}-{c}.npy"
        if not path.exists():
            with file_lock(path, every_rank=True):
                if not path.exists():
                    maps = np.empty(images.shape[:3], dtype=np.uint8)
                    for s in progress.bar(range(0, len(images), chunk), desc=f"{method} targets C={c}", leave=False):
                        index, _ = quantize_batch(images[s:s + chunk], method, c, workers=workers)
                        maps[s:s + chunk] = index.numpy()
                    path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npy")
                    np.save(tmp, maps)
                    os.replace(tmp, path)
        out[c] = torch.from_numpy(np.load(path))
    return out
