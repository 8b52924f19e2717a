"""The quickstart's figures (notebook ``00_quickstart``): one image grid per photograph quantized by every
method at 1–6 bits (:mod:`colorcnn_repro.experiments.quickstart`), and a table of colours used and bits per
pixel."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from ..paper_numbers import METHOD_NAMES, markdown_table
from ..plots import image_grid
from ..quantized import Quantized
from .main import distinct_colours

Key = tuple[str, str, int]  # (photograph, method, bits)


def photo_grid(name: str, photo: np.ndarray, quantized: Mapping[Key, Quantized], methods: Sequence[str],
               bits: Sequence[int], source: str) -> Figure:
    """One photograph's grid: a row per method, a column per bit size (the original first), each panel captioned
    with the colours it uses and its indexed PNG's bits per pixel."""
    rows, captions = {}, {}
    for r, m in enumerate(methods):
        label = METHOD_NAMES.get(m, m)
        rows[label] = [photo if r == 0 else None] + [quantized[name, m, b].to_rgb() for b in bits]
        captions[label] = [f"{distinct_colours(photo)} colours" if r == 0 else ""] + [
            f"{quantized[name, m, b].colors_used()} col · {quantized[name, m, b].bpp():.2f} bpp" for b in bits]
    h, w = photo.shape[:2]
    return image_grid(rows, ["original"] + [f"{b} bit ({2**b} colours)" for b in bits], captions,
                      title=f"{name}, {h}×{w}: learned quantizers from {source}")


def summary_table(quantized: Mapping[Key, Quantized], photos: Sequence[str], methods: Sequence[str],
                  bits: Sequence[int]) -> str:
    """Markdown: per method and bit size, the colours used and the bits per pixel, averaged over ``photos``."""
    rows = [["method", *(f"{b} bit" for b in bits)]]
    for m in methods:
        cells = []
        for b in bits:
            qs = [quantized[name, m, b] for name in photos]
            colours, bpp = np.mean([q.colors_used() for q in qs]), np.mean([q.bpp() for q in qs])
            cells.append(f"{colours:.1f} col · {bpp:.2f} bpp")
        rows.append([METHOD_NAMES.get(m, m), *cells])
    return markdown_table(rows)
