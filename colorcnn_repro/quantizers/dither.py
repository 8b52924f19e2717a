"""Exact Floyd–Steinberg error diffusion onto a given palette, vectorised over pixels and images.

Definition (shared by :func:`floyd_steinberg` and :func:`floyd_steinberg_reference`, bit for bit):
pixels are visited in raster order (left to right on every row, no serpentine); a pixel's working value
(float64, its RGB value plus the errors diffused into it so far) is clamped to [0, 255]; its colour is the
nearest palette entry in squared RGB distance ``((r-pr)² + (g-pg)²) + (b-pb)²``, the first entry on ties;
the error ``clamped - colour`` goes to the right (7/16), lower-left (3/16), lower (5/16) and lower-right (1/16)
neighbours inside the image. This is the authors' dithering (their per-pixel loop clamps the same way), with
an exact nearest colour; Pillow's own ``quantize(palette=..., dither=FLOYDSTEINBERG)`` is not used because it
maps colours through a 6-bit-per-channel cache.

Vectorisation: pixel (y, x) only depends on pixels of smaller ``t = 2y + x`` (left and upper-right neighbours
have t-1, upper t-2, upper-left t-3), so every anti-diagonal ``t`` is processed at once, for a whole batch of
images, with numpy. Each pixel pulls the errors of its four neighbours in the order the raster loop pushes
them, so the floating-point sums, and hence the indices, equal the loop's exactly.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

WEIGHTS = {"right": 7 / 16, "lower_left": 3 / 16, "lower": 5 / 16, "lower_right": 1 / 16}
ELEMENTS_PER_CHUNK = 1 << 17  # pixel-colour pairs per diagonal step (measured best on 32×32 images)
MAX_CHUNK = 4096


def _pad_palettes(palettes: Sequence[np.ndarray] | np.ndarray, batch: int) -> np.ndarray:
    """(B, K, 3) float64 palettes, shorter ones padded by repeating their last row (never chosen: ties go
    to the first entry)."""
    if len(palettes) != batch:
        raise ValueError(f"got {len(palettes)} palettes for {batch} images")
    sizes = [len(p) for p in palettes]
    if min(sizes, default=1) < 1 or max(sizes, default=1) > 256:
        raise ValueError(f"palettes must have 1..256 rows, got sizes in [{min(sizes)}, {max(sizes)}]")
    out = np.empty((batch, max(sizes, default=1), 3), dtype=np.float64)
    for row, (palette, size) in enumerate(zip(palettes, sizes)):
        palette = np.asarray(palette)
        if palette.ndim != 2 or palette.shape[1] != 3:
            raise ValueError(f"palette {row} must be C×3, got shape {palette.shape}")
        out[row, :size] = palette
        out[row, size:] = palette[-1]
    return out


def _diffuse(images: np.ndarray, palettes: np.ndarray) -> np.ndarray:
    """Indices (B, H, W) int64 for uint8 images (B, H, W, 3) and float64 palettes (B, K, 3)."""
    batch, height, width, _ = images.shape
    k = palettes.shape[1]
    planar = np.ascontiguousarray(images.transpose(3, 1, 2, 0))  # 3, H, W, B
    pal = np.ascontiguousarray(palettes.transpose(2, 0, 1))  # 3, B, K
    pal_flat = pal.reshape(3, batch * k)
    row_offset = np.arange(batch) * k
    # Errors of the last four diagonals (ring buffer t % 4), stored at slot y + 1 so that y - 1 >= -1 is valid;
    # slots of pixels outside the image stay zero.
    errors = np.zeros((3, 4, height + 1, batch))
    out = np.empty((height, width, batch), dtype=np.int64)
    for t in range(2 * height + width - 2):
        y0, y1 = max(0, (t - width + 2) // 2), min(height - 1, t // 2) + 1
        ys = np.arange(y0, y1)
        xs = t - 2 * ys
        value = planar[:, ys, xs].astype(np.float64)  # 3, n, B
        value += errors[:, (t + 1) % 4, y0:y1] * WEIGHTS["lower_right"]  # from (y-1, x-1), diagonal t-3
        value += errors[:, (t + 2) % 4, y0:y1] * WEIGHTS["lower"]  # from (y-1, x), diagonal t-2
        value += errors[:, (t + 3) % 4, y0:y1] * WEIGHTS["lower_left"]  # from (y-1, x+1), diagonal t-1
        value += errors[:, (t + 3) % 4, y0 + 1:y1 + 1] * WEIGHTS["right"]  # from (y, x-1), diagonal t-1
        np.clip(value, 0.0, 255.0, out=value)
        diff = value[..., None] - pal[:, None]  # 3, n, B, K
        diff *= diff
        dist = diff[0] + diff[1]
        dist += diff[2]
        nearest = dist.argmin(axis=-1)  # n, B; first minimum on ties
        out[ys, xs] = nearest
        slot = errors[:, t % 4]
        slot[:] = 0.0
        np.subtract(value, pal_flat[:, nearest + row_offset], out=slot[:, y0 + 1:y1 + 1])
    return out.transpose(2, 0, 1)


def floyd_steinberg(images: np.ndarray, palettes: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Floyd–Steinberg index maps (B, H, W) int64 of uint8 ``images`` (B, H, W, 3) onto per-image ``palettes``
    (a sequence of C_i×3 arrays, or one B×C×3 array). Exact: equals :func:`floyd_steinberg_reference`.

    Works in chunks of images sized to keep each step's temporaries in cache. Plain single-threaded numpy: it
    stays fast next to other CPU-heavy processes (torch's multithreaded CPU ops ran 25× slower than this here
    when the cores were busy).
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3 or images.dtype != np.uint8:
        raise ValueError(f"images must be a (B, H, W, 3) uint8 array, got {images.dtype} {images.shape}")
    batch, height, width, _ = images.shape
    padded = _pad_palettes(palettes, batch)
    diagonal = min(height, (width + 1) // 2)
    chunk = int(np.clip(ELEMENTS_PER_CHUNK // (diagonal * padded.shape[1]), 1, MAX_CHUNK))
    out = np.empty((batch, height, width), dtype=np.int64)
    for start in range(0, batch, chunk):
        out[start:start + chunk] = _diffuse(images[start:start + chunk], padded[start:start + chunk])
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
