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
images. Each pixel pulls the errors of its four neighbours in the order the raster loop pushes them, so the
floating-point sums, and hence the indices, equal the loop's exactly.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

WEIGHTS = {"right": 7 / 16, "lower_left": 3 / 16, "lower": 5 / 16, "lower_right": 1 / 16}
ELEMENTS_PER_CHUNK = 1 << 18  # distance-tensor elements per diagonal step: keeps temporaries cache-sized
MAX_CHUNK = 4096


def _pad_palettes(palettes: Sequence[np.ndarray] | np.ndarray, batch: int) -> np.ndarray:
    """(B, K, 3) float64 palettes, shorter ones padded by repeating their last row (never chosen: ties go
    to the first entry)."""
    if len(palettes) != batch:
        raise ValueError(f"got {len(palettes)} palettes for {batch} images")
    sizes = [len(p) for p in palettes]
    if min(sizes) < 1 or max(sizes) > 256:
        raise ValueError(f"palettes must have 1..256 rows, got sizes in [{min(sizes)}, {max(sizes)}]")
    out = np.empty((batch, max(sizes), 3), dtype=np.float64)
    for row, (palette, size) in enumerate(zip(palettes, sizes)):
        palette = np.asarray(palette)
        if palette.ndim != 2 or palette.shape[1] != 3:
            raise ValueError(f"palette {row} must be C×3, got shape {palette.shape}")
        out[row, :size] = palette
        out[row, size:] = palette[-1]
    return out


def _diffuse(images: torch.Tensor, palettes: torch.Tensor) -> torch.Tensor:
    """Indices (B, H, W) int64 for uint8 images (B, H, W, 3) and float64 palettes (B, K, 3), same device."""
    batch, height, width, _ = images.shape
    k = palettes.shape[1]
    device = images.device
    planar = images.permute(3, 1, 2, 0).contiguous()  # 3, H, W, B
    pal = palettes.permute(2, 0, 1).contiguous()  # 3, B, K
    pal_flat = pal.view(3, batch * k)
    row_offset = torch.arange(batch, device=device) * k
    # Errors of the last four diagonals (ring buffer t % 4), stored at slot y + 1 so that y - 1 >= -1 is valid;
    # slots of pixels outside the image stay zero.
    errors = torch.zeros(3, 4, height + 1, batch, dtype=torch.float64, device=device)
    out = torch.empty(height, width, batch, dtype=torch.int64, device=device)
    for t in range(2 * height + width - 2):
        y0, y1 = max(0, (t - width + 2) // 2), min(height - 1, t // 2) + 1
        ys = torch.arange(y0, y1, device=device)
        xs = t - 2 * ys
        value = planar[:, ys, xs].double()  # 3, n, B
        value += errors[:, (t + 1) % 4, y0:y1] * WEIGHTS["lower_right"]  # from (y-1, x-1), diagonal t-3
        value += errors[:, (t + 2) % 4, y0:y1] * WEIGHTS["lower"]  # from (y-1, x), diagonal t-2
        value += errors[:, (t + 3) % 4, y0:y1] * WEIGHTS["lower_left"]  # from (y-1, x+1), diagonal t-1
        value += errors[:, (t + 3) % 4, y0 + 1:y1 + 1] * WEIGHTS["right"]  # from (y, x-1), diagonal t-1
        value.clamp_(0.0, 255.0)
        diff = value.unsqueeze(-1) - pal.unsqueeze(1)  # 3, n, B, K
        diff.mul_(diff)
        dist = diff[0] + diff[1]
        dist += diff[2]
        nearest = dist.argmin(-1)  # n, B; first minimum on ties
        out[ys, xs] = nearest
        chosen = pal_flat[:, (nearest + row_offset).view(-1)].view(3, y1 - y0, batch)
        slot = errors[:, t % 4]
        slot.zero_()
        torch.sub(value, chosen, out=slot[:, y0 + 1:y1 + 1])
    return out.permute(2, 0, 1)


def floyd_steinberg(
    images: np.ndarray,
    palettes: Sequence[np.ndarray] | np.ndarray,
    device: str | torch.device = "cpu",
) -> np.ndarray:
    """Floyd–Steinberg index maps (B, H, W) int64 of uint8 ``images`` (B, H, W, 3) onto per-image ``palettes``
    (a sequence of C_i×3 arrays, or one B×C×3 array). Exact: equals :func:`floyd_steinberg_reference`.

    Runs on ``device`` with torch, in chunks of images sized to keep the per-step temporaries small.
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
        part = slice(start, start + chunk)
        out[part] = _diffuse(
            torch.from_numpy(images[part]).to(device), torch.from_numpy(padded[part]).to(device)
        ).cpu().numpy()
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
