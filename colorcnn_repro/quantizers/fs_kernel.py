"""The compiled Floyd–Steinberg loop behind :func:`colorcnn_repro.quantizers.dither.floyd_steinberg`.

Imported on first use only (numba's import and the first compilation take about a second; the compiled code
is cached beside this file), so the other classical quantizers start without it.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def diffuse(images: np.ndarray, palettes: np.ndarray, sizes: np.ndarray, out: np.ndarray) -> None:
    """Write into ``out`` (B, H, W) int64 the dithered indices of uint8 ``images`` (B, H, W, 3) onto the first
    ``sizes[b]`` rows of float64 ``palettes`` (B, K, 3), in raster order with two rows of working values (the
    current row and the next, which receives the lower errors): the definition in :mod:`..dither`."""
    batch, height, width, _ = images.shape
    right, lower_left, lower, lower_right = 7 / 16, 3 / 16, 5 / 16, 1 / 16
    row = np.empty((width, 3))
    below = np.empty((width, 3))
    value = np.empty(3)
    for b in range(batch):
        palette = palettes[b]
        row[:] = images[b, 0]
        for y in range(height):
            if y + 1 < height:
                below[:] = images[b, y + 1]
            for x in range(width):
                for c in range(3):
                    value[c] = min(max(row[x, c], 0.0), 255.0)
                best, best_dist = 0, np.inf
                for k in range(sizes[b]):
                    d0 = value[0] - palette[k, 0]
                    d1 = value[1] - palette[k, 1]
                    d2 = value[2] - palette[k, 2]
                    dist = d0 * d0 + d1 * d1 + d2 * d2
                    if dist < best_dist:  # the first entry on ties
                        best, best_dist = k, dist
                out[b, y, x] = best
                for c in range(3):
                    error = value[c] - palette[best, c]
                    if x + 1 < width:
                        row[x + 1, c] += error * right
                    if y + 1 < height:
                        if x > 0:
                            below[x - 1, c] += error * lower_left
                        below[x, c] += error * lower
                        if x + 1 < width:
                            below[x + 1, c] += error * lower_right
            row, below = below, row
