"""The one data type of the project: a colour-quantized image as an index map plus a palette.

Classical and learned quantizers both return :class:`Quantized`; bitrate, colour counts, evaluation and
figures consume it.
"""
from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

PNG_BIT_DEPTHS = (1, 2, 4, 8)


@dataclass(frozen=True)
class Quantized:
    """A quantized image: ``index`` (H×W ints in [0, C)) and ``palette`` (C×3 uint8 RGB)."""

    index: np.ndarray
    palette: np.ndarray

    def __post_init__(self) -> None:
        index = np.asarray(self.index)
        palette = np.asarray(self.palette)
        if index.ndim != 2:
            raise ValueError(f"index map must be H×W, got shape {index.shape}")
        if palette.ndim != 2 or palette.shape[1] != 3 or not 1 <= palette.shape[0] <= 256:
            raise ValueError(f"palette must be C×3 with 1 <= C <= 256, got shape {palette.shape}")
        if palette.dtype != np.uint8:
            raise ValueError(f"palette must be uint8, got {palette.dtype}")
        if index.size and (index.min() < 0 or index.max() >= palette.shape[0]):
            raise ValueError(
                f"index values must lie in [0, {palette.shape[0]}), got [{index.min()}, {index.max()}]"
            )
        object.__setattr__(self, "index", index.astype(np.uint8, copy=False))
        object.__setattr__(self, "palette", palette)

    @property
    def num_colors(self) -> int:
        """Palette size C (the colour-space size, 2**bits)."""
        return int(self.palette.shape[0])

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.index.shape)

    def to_rgb(self) -> np.ndarray:
        """Reconstruct the RGB image, H×W×3 uint8 (table look-up, paper Eq. 4)."""
        return self.palette[self.index]

    def colors_used(self) -> int:
        """Number of distinct RGB colours that actually appear in the reconstructed image."""
        used = self.palette[np.unique(self.index)]
        return int(np.unique(used, axis=0).shape[0])

    def compact(self) -> Quantized:
        """Drop unused and duplicate palette entries (what the PNG encoder stores)."""
        used = np.unique(self.index)
        colors, inverse = np.unique(self.palette[used], axis=0, return_inverse=True)
        lut = np.zeros(self.num_colors, dtype=np.int64)
        lut[used] = inverse.reshape(-1)
        return Quantized(lut[self.index], colors.astype(np.uint8))

    def to_pil(self) -> Image.Image:
        """Palette-mode ('P') PIL image holding exactly this index map and palette."""
        img = Image.fromarray(self.index, mode="P")
        img.putpalette(self.palette.reshape(-1).tolist())
        return img

    def png_bytes(self) -> bytes:
        """Indexed PNG at the smallest bit depth (1, 2, 4 or 8) that holds the used colours."""
        compact = self.compact()
        bits = next(b for b in PNG_BIT_DEPTHS if compact.num_colors <= 2**b)
        buf = io.BytesIO()
        compact.to_pil().save(buf, format="PNG", bits=bits, optimize=True)
        return buf.getvalue()

    def bpp(self) -> float:
        """Honest bits per pixel: 8 · (indexed PNG bytes) / (H·W)."""
        h, w = self.shape
        return 8.0 * len(self.png_bytes()) / (h * w)

    def save_png(self, path: str | os.PathLike[str]) -> None:
        with open(path, "wb") as f:
            f.write(self.png_bytes())

    @classmethod
    def from_png(cls, data: bytes) -> Quantized:
        """Read an indexed PNG written by :meth:`png_bytes`."""
        img = Image.open(io.BytesIO(data))
        if img.mode != "P":
            raise ValueError(f"expected a palette-mode PNG, got mode {img.mode!r}")
        index = np.asarray(img)
        n = int(index.max()) + 1
        raw_palette = img.getpalette()
        assert raw_palette is not None  # mode "P"
        palette = np.asarray(raw_palette[: 3 * n], dtype=np.uint8).reshape(n, 3)
        return cls(index, palette)


@dataclass
class QuantizedSet:
    """N quantized images of one size, the batch form of :class:`Quantized`: index maps (N×H×W uint8) and
    palettes (N×C×3 uint8, rows after an image's largest index unused). What every quantizer's
    ``quantize_set`` returns; item ``i`` is a :class:`Quantized`."""

    index: np.ndarray
    palette: np.ndarray

    @classmethod
    def of(cls, items: Sequence[Quantized], colors: int) -> QuantizedSet:
        """The set of ``items`` (images of one size, each quantized alone) with their palettes zero-padded (or
        cut) to ``colors`` rows."""
        palettes = np.zeros((len(items), colors, 3), dtype=np.uint8)
        for row, q in zip(palettes, items):
            row[:min(len(q.palette), colors)] = q.palette[:colors]
        return cls(np.stack([q.index for q in items]).astype(np.uint8), palettes)

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, i: int) -> Quantized:
        """Image ``i`` (its palette keeps all C rows; the PNG stores only the used ones)."""
        return Quantized(self.index[i], self.palette[i])

    def rgb(self) -> np.ndarray:
        """Every image as N×H×W×3 uint8 RGB."""
        return np.take_along_axis(self.palette[:, None], self.index[..., None].astype(np.int64), axis=2)


def jpeg_bpp(image: np.ndarray, quality: int) -> tuple[np.ndarray, float]:
    """Encode an RGB uint8 image as JPEG; return the decoded image and bits per pixel (same definition)."""
    if not 1 <= quality <= 100:
        raise ValueError(f"JPEG quality must be in 1..100, got {quality}")
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="JPEG", quality=quality)
    h, w = image.shape[:2]
    decoded = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    return decoded, 8.0 * len(buf.getvalue()) / (h * w)
