"""Exact Floyd–Steinberg error diffusion onto a given palette.

Definition (shared by :func:`floyd_steinberg` and :func:`floyd_steinberg_reference`, bit for bit):
pixels are visited in raster order (left to right on every row, no serpentine); a pixel's working value
(float64, its RGB value plus the errors diffused into it so far) is clamped to [0, 255]; its colour is the
nearest palette entry in squared RGB distance ``((r-pr)² + (g-pg)²) + (b-pb)²``, the first entry on ties;
the error ``clamped - colour`` goes to the right (7/16), lower-left (3/16), lower (5/16) and lower-right (1/16)
neighbours inside the image. This is the authors' dithering (their per-pixel loop clamps the same way), with
an exact nearest colour; Pillow's own ``quantize(palette=..., dither=FLOYDSTEINBERG)`` is not used because it
maps colours through a 6-bit-per-channel cache.

The loop itself is compiled with numba (:mod:`.fs_kernel`): error diffusion is sequential by nature, and the
numpy formulation over anti-diagonals that this module used before spent most of its time on per-step
overhead (a 36-megapixel photo: 10–16 s, against well under a second compiled).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

WEIGHTS = {"right": 7 / 16, "lower_left": 3 / 16, "lower": 5 / 16, "lower_right": 1 / 16}


def _stack_palettes(palettes: Sequence[np.ndarray] | np.ndarray, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """``(B, K, 3) float64 palettes, (B,) int64 sizes``: each palette in the first ``size`` rows of its own."""
    if len(palettes) != batch:
        raise ValueError(f"got {len(palettes)} palettes for {batch} images")
    sizes = [len(p) for p in palettes]
    if min(sizes, default=1) < 1 or max(sizes, default=1) > 256:
        raise ValueError(f"palettes must have 1..256 rows, got sizes in [{min(sizes)}, {max(sizes)}]")
    out = np.zeros((batch, max(sizes, default=1), 3), dtype=np.float64)
    for row, (palette, size) in enumerate(zip(palettes, sizes)):
        palette = np.asarray(palette)
        if palette.ndim != 2 or palette.shape[1] != 3:
            raise ValueError(f"palette {row} must be C×3, got shape {palette.shape}")
        out[row, :size] = palette
    return out, np.array(sizes, dtype=np.int64)


def floyd_steinberg(images: np.ndarray, palettes: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Floyd–Steinberg index maps (B, H, W) int64 of uint8 ``images`` (B, H, W, 3) onto per-image ``palettes``
    (a sequence of C_i×3 arrays, or one B×C×3 array). Exact: equals :func:`floyd_steinberg_reference`."""
    from .fs_kernel import diffuse  # numba: imported when dithering is first asked for

    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3 or images.dtype != np.uint8:
        raise ValueError(f"images must be a (B, H, W, 3) uint8 array, got {images.dtype} {images.shape}")
    stacked, sizes = _stack_palettes(palettes, len(images))
    out = np.empty(images.shape[:3], dtype=np.int64)
    # one array type for every caller (a decoded photo is often read-only): one compiled, cached signature
    diffuse(np.require(images, requirements=["C", "W"]), stacked, sizes, out)
    return out


def floyd_steinberg_reference(image: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """The same dithering as a plain per-pixel Python loop, as the authors ran it (a distance per palette colour,
    errors pushed to the neighbours). Slow; used by tests and the benchmark. Returns H×W int64 indices."""
    work = np.asarray(image, dtype=np.float64).copy()
    colours = np.asarray(palette, dtype=np.float64)
    height, width, _ = work.shape
    pushes = (
        (0, 1, WEIGHTS["right"]), (1, -1, WEIGHTS["lower_left"]),
        (1, 0, WEIGHTS["lower"]), (1, 1, WEIGHTS["lower_right"]),
    )
    out = np.zeros((height, width), dtype=np.int64)
    for y in range(height):
        for x in range(width):
            pixel = work[y, x]
            np.clip(pixel, 0.0, 255.0, out=pixel)
            distances = []
            for colour in colours:
                d = pixel - colour
                distances.append(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])
            best = int(np.argmin(distances))
            out[y, x] = best
            error = pixel - colours[best]
            for dy, dx, weight in pushes:
                if y + dy < height and 0 <= x + dx < width:
                    work[y + dy, x + dx] += error * weight
    return out
