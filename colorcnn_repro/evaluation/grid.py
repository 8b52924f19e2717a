"""Accuracy of a frozen classifier on quantized images: every method × colour count, colours used, real
bits per pixel, paired significance, and JPEG as the reference curve.

With the classifier on a GPU, the classical quantizers (and their PNG sizes) run ahead in a background thread
over the CPU worker pool (:class:`~colorcnn_repro.quantizers.ClassicalQuantizer` with workers) while the GPU runs the
learned quantizers and the classifier; on a CPU everything runs in turn, in this process. Same results.
"""
from __future__ import annotations

import io
import itertools
import json
import os
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from .. import progress
from ..data import ImageArrays
from ..files import atomic_write_bytes
from ..models import NormalizedClassifier
from ..parallel import to_device
from ..quantized import QuantizedSet, jpeg_bpp
from ..quantizers import METHODS, ClassicalQuantizer, Quantizer, quantizers_for
from .metrics import exact_match, mcnemar_p, mean_average_precision, stars


@torch.no_grad()
def predict(clf: NormalizedClassifier, images: np.ndarray, batch_size: int = 250) -> np.ndarray:
    """Class scores (softmax, or sigmoid for multi-label) for N×H×W×3 uint8 images."""
    dev = next(clf.parameters()).device
    clf.eval()
    out = []
    for s in range(0, len(images), batch_size):
        x = to_device(torch.from_numpy(images[s:s + batch_size]), dev).permute(0, 3, 1, 2).float() / 255
        logits = clf(x)
        out.append((logits.sigmoid() if clf.multilabel else logits.softmax(1)).cpu().numpy())
    return np.concatenate(out)


def score(scores: np.ndarray, data: ImageArrays) -> tuple[np.ndarray, dict[str, float]]:
    """Per-image correctness and summary metrics (accuracy; exact-match accuracy and mAP for multi-label)."""
    if data.multilabel:
        correct = exact_match(scores, data.labels)
        return correct, {"accuracy": float(correct.mean()), "mAP": mean_average_precision(scores, data.labels)}
    correct = scores.argmax(1) == data.labels
    return correct, {"accuracy": float(correct.mean())}


#: The layout of the cached classical scores (their metrics); a new layout is computed anew, not read.
CACHE_LAYOUT = 2


def image_stats(qs: QuantizedSet, images: np.ndarray) -> dict[str, float]:
    """Of a quantized set against its ``images``: the mean colours actually used per image, the mean bits per
    pixel of the indexed PNGs and their standard deviation over images (``bpp_sd``), and the mean squared pixel
    error (0–255 RGB; per image over pixels and channels) with its standard deviation (``mse``, ``mse_sd``):
    what bitrate orderings and visual fidelity are tested on."""
    items = [qs[i] for i in range(len(qs))]
    bpp = np.array([q.bpp() for q in items])
    error = ((qs.rgb().astype(np.float32) - images.astype(np.float32)) ** 2).mean(axis=(1, 2, 3))
    spread = (lambda x: float(x.std(ddof=1)) if len(x) > 1 else 0.0)  # noqa: E731
    return {"colors_used": float(np.mean([q.colors_used() for q in items])), "bpp": float(bpp.mean()),
            "bpp_sd": spread(bpp), "mse": float(error.mean()), "mse_sd": spread(error)}


def evaluate_grid(clf: NormalizedClassifier, data: ImageArrays, methods: tuple[str, ...], bits: tuple[int, ...],
                  learned: Mapping[str, Quantizer] | None = None, batch_size: int = 250,
                  overlap: bool | None = None, workers: int | None = None, cache: Path | None = None) -> dict:
    """Accuracy / colours used / bpp for every method and 2**bits colours, with paired McNemar p-values
    between every two methods at each colour count. ``learned`` gives the learned methods' quantizers. With the
    classifier on a GPU the classical methods run ahead on the CPU worker pool (module docstring);
    ``overlap`` forces that on or off, ``workers`` sets the pool size (default: every CPU). ``cache``: a folder
    for this classifier and these images, where each classical method's per-image correctness and metrics at
    each size are kept (``<method>-<C>-v<layout>.npz``) and read back instead of quantizing again: they depend on
    neither the learned quantizers nor the other methods, so every evaluation of a compute curve shares them (the
    cache knows no quantizer's code: delete it after changing one, as the JPEG and imitation-target caches)."""
    quantizers = quantizers_for(methods, learned)
    original_correct, original = score(predict(clf, data.images, batch_size), data)
    results: dict[str, dict[str, dict]] = {m: {} for m in methods}
    significance: dict[str, dict[str, dict]] = {}
    ahead: dict[tuple[int, str], Future] = {}
    pool = None
    if overlap is None:
        overlap = next(clf.parameters()).device.type != "cpu"
    cached = {(b, m): cache / f"{m}-{2**b}-v{CACHE_LAYOUT}.npz" for b in bits for m in methods
              if cache is not None and m in METHODS}
    hits = {k for k, path in cached.items() if path.exists()}
    if overlap:
        pool = ThreadPoolExecutor(1, thread_name_prefix="classical-quantizers")
        workers = (os.cpu_count() or 1) if workers is None else workers

        def classical(m: str, c: int) -> tuple[QuantizedSet, dict[str, float]]:
            qs = ClassicalQuantizer(m, workers).quantize_set(data.images, c)
            return qs, image_stats(qs, data.images)

        ahead = {(b, m): pool.submit(classical, m, 2**b) for b in bits for m in methods
                 if m in METHODS and (b, m) not in hits}
    try:
        for b in bits:
            c = 2**b
            correct: dict[str, np.ndarray] = {}
            for m in progress.bar(methods, desc=f"evaluate {b} bit", leave=False):
                if (b, m) in hits:
                    correct[m], results[m][str(b)] = read_scores(cached[b, m])
                    continue
                if (b, m) in ahead:
                    qs, rate = ahead.pop((b, m)).result()
                else:
                    qs = quantizers[m].quantize_set(data.images, c)
                    rate = image_stats(qs, data.images)
                correct[m], metrics = score(predict(clf, qs.rgb(), batch_size), data)
                results[m][str(b)] = {**metrics, **rate}
                if (b, m) in cached:
                    write_scores(cached[b, m], correct[m], results[m][str(b)])
            significance[str(b)] = {
                f"{a} vs {z}": {"p": mcnemar_p(correct[a], correct[z]),
                                "stars": stars(mcnemar_p(correct[a], correct[z]))}
                for a, z in itertools.combinations(methods, 2)
            }
    finally:
        if pool is not None:
            for future in ahead.values():
                future.cancel()
            pool.shutdown(wait=True)
    return {"original": original, "methods": results, "significance": significance}


def write_scores(path: Path, correct: np.ndarray, metrics: Mapping[str, float]) -> None:
    """One method's per-image correctness and metrics at one size, kept atomically at ``path`` (.npz)."""
    buf = io.BytesIO()
    np.savez(buf, correct=correct, metrics=json.dumps(dict(metrics)))
    atomic_write_bytes(buf.getvalue(), path)


def read_scores(path: Path) -> tuple[np.ndarray, dict[str, float]]:
    """What :func:`write_scores` kept at ``path``."""
    with np.load(path) as z:
        return z["correct"], json.loads(str(z["metrics"]))


def evaluate_jpeg(clf: NormalizedClassifier, data: ImageArrays, qualities: tuple[int, ...],
                  batch_size: int = 250) -> list[dict]:
    """The JPEG reference curve: accuracy and mean bpp at each quality."""
    curve = []
    for q in qualities:
        pairs = [jpeg_bpp(img, q) for img in data.images]
        decoded = np.stack([p[0] for p in pairs])
        _, metrics = score(predict(clf, decoded, batch_size), data)
        curve.append({"quality": q, **metrics, "bpp": float(np.mean([p[1] for p in pairs]))})
    return curve
