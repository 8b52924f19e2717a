"""Batched classical quantization: many images in, index maps and zero-padded palettes out.

This is the hot path for caching imitation targets (tens of thousands of images × several colour counts).
Pillow and libimagequant run image by image (optionally in a pool of worker processes, reused across
calls); dithering runs batched on all median-cut palettes at once (:func:`~.dither.floyd_steinberg`).
Results equal the per-image functions of :mod:`~.classical` exactly (see :func:`to_quantized`).
"""
from __future__ import annotations

import atexit
import signal
from multiprocessing import get_context
from multiprocessing.pool import Pool

import numpy as np
import torch

from ..quantized import Quantized
from .classical import RAW, check_colors, check_method, check_size, to_uint8
from .dither import floyd_steinberg

_pool: tuple[int, Pool] | None = None


def _close_pool() -> None:
    global _pool
    if _pool is not None:
        _pool[1].terminate()
        _pool = None


atexit.register(_close_pool)


def _ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C (or a Jupyter kernel's interrupt, sent to its whole process group) is for
    the parent, which terminates the pool; idle workers would otherwise print a traceback each."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _get_pool(workers: int) -> Pool:
    """A spawn-context pool of ``workers`` processes, kept for later calls with the same count."""
    global _pool
    if _pool is None or _pool[0] != workers:
        _close_pool()
        _pool = (workers, get_context("spawn").Pool(workers, initializer=_ignore_interrupts))
    return _pool[1]


def _as_batch(images: torch.Tensor | np.ndarray) -> np.ndarray:
    """(B, H, W, 3) uint8 array from a (B, 3, H, W) tensor (uint8, or float in [0, 1]) or a (B, H, W, 3) array."""
    if isinstance(images, torch.Tensor):
        if images.ndim != 4 or images.shape[1] != 3:
            raise ValueError(f"expected a (B, 3, H, W) tensor, got shape {tuple(images.shape)}")
        images = images.detach().cpu()
        if images.is_floating_point() and images.dtype != torch.float64:
            images = images.float()
        array = images.permute(0, 2, 3, 1).numpy()
    else:
        array = np.asarray(images)
        if array.ndim != 4 or array.shape[3] != 3:
            raise ValueError(f"expected a (B, H, W, 3) array, got shape {array.shape}")
    check_size(*array.shape[1:3])
    return np.ascontiguousarray(to_uint8(array))


def _quantize_chunk(images: np.ndarray, method: str, colors: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quantize (b, H, W, 3) uint8 images one by one with ``RAW[method]``.

    Returns index maps (b, H, W) uint8, palettes (b, colors, 3) uint8 zero-padded, and palette sizes (b,).
    """
    quantizer = RAW[method]
    index = np.empty(images.shape[:3], dtype=np.uint8)
    palettes = np.zeros((len(images), colors, 3), dtype=np.uint8)
    sizes = np.empty(len(images), dtype=np.int64)
    for i, rgb in enumerate(images):
        index[i], palette = quantizer(rgb, colors)
        sizes[i] = len(palette)
        palettes[i, : sizes[i]] = palette
    return index, palettes, sizes


def _quantize_all(images: np.ndarray, method: str, colors: int, workers: int) -> tuple[np.ndarray, ...]:
    """:func:`_quantize_chunk` on all images, split into chunks over ``workers`` processes if ``workers > 0``."""
    if workers <= 0 or len(images) < 2:
        return _quantize_chunk(images, method, colors)
    chunks = np.array_split(images, min(len(images), 4 * workers))
    parts = _get_pool(workers).starmap(_quantize_chunk, [(chunk, method, colors) for chunk in chunks])
    return tuple(np.concatenate(arrays) for arrays in zip(*parts))


def quantize_batch(
    images: torch.Tensor | np.ndarray, method: str, colors: int, workers: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Quantize a batch with a classical method (a key of :data:`~.classical.METHODS`).

    ``images``: a (B, 3, H, W) tensor, uint8 or float in [0, 1], or a (B, H, W, 3) array (uint8, uint16 or
    float in [0, 1]). ``workers > 0`` spreads the per-image Pillow / libimagequant calls over that many spawned
    processes (the pool is reused by later calls). Returns index maps (B, H, W) int64 and palettes
    (B, colors, 3) uint8, rows after each image's largest index zero.
    """
    method = check_method(method)
    colors = check_colors(colors)
    batch = _as_batch(images)
    if method == "dither":
        _, palettes, sizes = _quantize_all(batch, "mediancut", colors, workers)
        index = floyd_steinberg(batch, [palette[:size] for palette, size in zip(palettes, sizes)])
    else:
        index, palettes, _ = _quantize_all(batch, method, colors, workers)
    used = index.reshape(len(index), -1).max(axis=1, initial=0)
    palettes[np.arange(colors)[None, :] > used[:, None]] = 0
    return torch.from_numpy(index.astype(np.int64, copy=False)), torch.from_numpy(palettes)


def to_quantized(index: torch.Tensor | np.ndarray, palette: torch.Tensor | np.ndarray, b: int) -> Quantized:
    """Batch element ``b`` of :func:`quantize_batch`'s output as a :class:`Quantized`, the palette cut after its
    largest index (exactly what the per-image method returns)."""
    image_index = np.asarray(index[b])
    return Quantized(image_index, np.asarray(palette[b])[: int(image_index.max()) + 1])
