"""Classical colour quantizers (the paper's baselines), input validation and the method registry.

Every method maps an RGB image to a :class:`~colorcnn_repro.quantized.Quantized` with at most ``colors``
palette rows; palettes are trimmed after the largest index used, so ``index < len(palette) <= colors``.

- ``mediancut``: Pillow ``quantize(C, method=MEDIANCUT)``. Pillow never dithers without a ``palette=``
  argument, so this is plain median cut.
- ``octree``: Pillow ``quantize(C, method=FASTOCTREE)``.
- ``kmeans``: Pillow ``quantize(C, method=MEDIANCUT, kmeans=2)``, as the authors ran it: median cut, then
  k-means refinement. Pillow's ``kmeans`` is a convergence threshold, not an iteration count: it iterates
  until at most ``kmeans - 1`` pixels change cluster, i.e. until at most one pixel changes here. Images of
  more than :data:`KMEANS_PIXELS` pixels (photos, not the datasets' images) fit the palette on an evenly
  strided subsample of at most that many pixels, then map every pixel to its nearest palette colour
  (:func:`nearest_colors`): Pillow's k-means took 212 s on a 36-megapixel photo here.
- ``dither``: the median-cut palette, then exact Floyd–Steinberg error diffusion
  (:mod:`colorcnn_repro.quantizers.dither` defines it: raster order, clamping to [0, 255], L2 nearest colour).
- ``libimagequant``: libimagequant through the BSD-licensed ``imagequant`` package (Pillow's wheels lack it),
  with dithering level 0.
"""
from __future__ import annotations

import math
import os
from collections.abc import Callable
from functools import partial
from typing import TypeAlias

import imagequant
import numpy as np
from PIL import Image, UnidentifiedImageError

from ..methods import LEARNED
from ..quantized import Quantized
from .dither import floyd_steinberg

MIN_SIDE = 2
MAX_SIDE = 16384
MIN_COLORS, MAX_COLORS = 2, 256
KMEANS_PIXELS = 1 << 18  # k-means fits its palette on at most this many pixels

ImageLike: TypeAlias = "Image.Image | np.ndarray | str | os.PathLike[str]"
RawQuantizer = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]


def check_colors(colors: object) -> int:
    """``colors`` as an int, if it is an integer in 2..256; ValueError otherwise."""
    if isinstance(colors, (bool, np.bool_)) or not isinstance(colors, (int, np.integer)) or not (
        MIN_COLORS <= colors <= MAX_COLORS
    ):
        raise ValueError(f"colors must be an integer in {MIN_COLORS}..{MAX_COLORS}, got {colors!r}")
    return int(colors)


def check_size(height: int, width: int) -> None:
    """ValueError unless both sides lie in 2..16384 pixels."""
    if min(height, width) < MIN_SIDE:
        raise ValueError(f"image is {width}×{height} pixels (W×H); at least {MIN_SIDE}×{MIN_SIDE} is required")
    if max(height, width) > MAX_SIDE:
        raise ValueError(
            f"image is {width}×{height} pixels (W×H), too large: at most {MAX_SIDE} pixels per side are accepted"
        )


def to_uint8(array: np.ndarray) -> np.ndarray:
    """Scale pixel values to uint8: uint8 as is, uint16 to round(v / 257), floats in [0, 1] to round(255 v)."""
    if array.dtype == np.uint8:
        return array
    if array.dtype.kind == "u" and array.dtype.itemsize == 2:
        return ((array.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    if array.dtype.kind == "f":
        if array.size and not (0.0 <= array.min() and array.max() <= 1.0):  # also rejects NaN
            raise ValueError(f"float image values must lie in [0, 1], got [{array.min()}, {array.max()}]")
        return np.rint(array * 255).astype(np.uint8)
    raise ValueError(f"unsupported pixel dtype {array.dtype}; accepted: uint8, uint16, or float in [0, 1]")


def _array_to_rgb(array: np.ndarray) -> np.ndarray:
    """H×W (grey) or H×W×{1,2,3,4} (grey, grey+alpha, RGB, RGBA) array to H×W×3 uint8; alpha over white."""
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or not 1 <= array.shape[2] <= 4:
        raise ValueError(
            f"expected an H×W or H×W×C image array with C in 1..4 (channels last), got shape {array.shape}"
        )
    check_size(*array.shape[:2])
    array = to_uint8(array)
    channels = array.shape[2]
    if channels in (2, 4):
        colour = array[:, :, :-1].astype(np.uint32)
        alpha = array[:, :, -1:].astype(np.uint32)
        array = ((colour * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
    if array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    return np.ascontiguousarray(array)


def _pil_to_array(image: Image.Image) -> np.ndarray:
    """Pixel array of a PIL image in a form :func:`_array_to_rgb` understands."""
    mode = image.mode
    if mode in ("RGB", "RGBA", "L", "LA", "F") or mode.startswith("I;16"):
        return np.asarray(image)
    if mode == "1":
        return np.asarray(image.convert("L"))
    if mode == "I":  # 32-bit integers: accepted when they hold 16-bit values (old Pillow's 16-bit PNGs)
        array = np.asarray(image)
        if array.min() < 0 or array.max() > 65535:
            raise ValueError(f"mode 'I' image values must lie in 0..65535, got [{array.min()}, {array.max()}]")
        return array.astype(np.uint16)
    target = "RGBA" if "A" in mode or "a" in mode or "transparency" in image.info else "RGB"
    try:
        return np.asarray(image.convert(target))
    except ValueError as exc:
        raise ValueError(f"unsupported image mode {mode!r}: Pillow cannot convert it to {target}") from exc


def as_rgb(image: ImageLike) -> np.ndarray:
    """An image as a C-contiguous H×W×3 uint8 RGB array.

    Accepts PIL images, numpy arrays (channels last) and paths (via :func:`load_image`). Conversions: RGB as
    is; greyscale (mode L or 1, H×W or H×W×1 arrays) replicated to RGB; RGBA / LA (H×W×4 / H×W×2 arrays) and
    palette images with transparency composited over white; palette mode P and other Pillow modes (CMYK,
    YCbCr, ...) converted by Pillow; 16-bit images (mode I;16, uint16 arrays) scaled to round(v / 257); float
    arrays (and mode F) must lie in [0, 1] and become round(255 v). ValueError for anything else, and for
    images with a side under 2 or over 16384 pixels.
    """
    if isinstance(image, (str, os.PathLike)):
        return load_image(image)
    if isinstance(image, Image.Image):
        width, height = image.size
        check_size(height, width)
        return _array_to_rgb(_pil_to_array(image))
    return _array_to_rgb(np.asarray(image))


def load_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file with Pillow and convert it with :func:`as_rgb`."""
    try:
        image = Image.open(path)
    except UnidentifiedImageError as exc:
        raise ValueError(f"{os.fspath(path)!r} is not an image file readable by Pillow") from exc
    except Image.DecompressionBombError as exc:
        raise ValueError(f"{os.fspath(path)!r} is too large to decode: {exc}") from exc
    with image:
        return as_rgb(image)


def _trim(index: np.ndarray, palette: np.ndarray) -> Quantized:
    """Quantized with the palette cut after the largest index used."""
    return Quantized(index, palette[: int(index.max()) + 1])


def _pillow(
    rgb: np.ndarray, colors: int, method: Image.Quantize, kmeans: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Pillow's quantizer: uint8 index map and the palette it produced (at most ``colors`` rows)."""
    quantized = Image.fromarray(rgb).quantize(colors, method=method, kmeans=kmeans)
    return np.asarray(quantized), np.asarray(quantized.getpalette("RGB"), dtype=np.uint8).reshape(-1, 3)


def _libimagequant(rgb: np.ndarray, colors: int) -> tuple[np.ndarray, np.ndarray]:
    """libimagequant without dithering. Same result as ``imagequant.quantize_pil_image(img, 0.0, colors)``
    without its per-pixel Python conversion of the image."""
    height, width, _ = rgb.shape
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    rgba[:, :, :3] = rgb
    rgba[:, :, 3] = 255
    data, palette = imagequant.quantize_raw_rgba_bytes(
        rgba.tobytes(), width, height, dithering_level=0.0, max_colors=colors
    )
    index = np.frombuffer(data, dtype=np.uint8).reshape(height, width)
    return index, np.asarray(palette, dtype=np.uint8).reshape(-1, 4)[: int(index.max()) + 1, :3]


def nearest_colors(rgb: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """H×W uint8 index of each pixel's nearest ``palette`` row (squared RGB distance, exact in integers; the
    first row on ties). Each distinct colour of the image is looked up once, through a 2**24-entry table."""
    if not 1 <= len(palette) <= 256:
        raise ValueError(f"palette must have 1..256 rows, got {len(palette)}")
    keys = (rgb[..., 0].astype(np.int32) << 16) | (rgb[..., 1].astype(np.int32) << 8) | rgb[..., 2]
    present = np.zeros(1 << 24, dtype=bool)
    present[keys] = True
    colours = np.flatnonzero(present)
    channels = np.stack([colours >> 16, (colours >> 8) & 255, colours & 255], axis=1)
    diff = channels[:, None, :] - np.asarray(palette, dtype=np.int64)[None]
    table = np.zeros(1 << 24, dtype=np.uint8)
    table[colours] = (diff * diff).sum(axis=2).argmin(axis=1)
    return table[keys]


def _kmeans(rgb: np.ndarray, colors: int) -> tuple[np.ndarray, np.ndarray]:
    """Pillow median cut + k-means (``kmeans=2``); over :data:`KMEANS_PIXELS` pixels, the palette is fitted on
    every ``step``-th pixel of every ``step``-th row and each pixel takes its nearest palette colour."""
    height, width, _ = rgb.shape
    step = math.ceil(math.sqrt(height * width / KMEANS_PIXELS))
    index, palette = _pillow(np.ascontiguousarray(rgb[::step, ::step]), colors, Image.Quantize.MEDIANCUT, kmeans=2)
    return (index, palette) if step == 1 else (nearest_colors(rgb, palette), palette)


RAW: dict[str, RawQuantizer] = {
    "mediancut": partial(_pillow, method=Image.Quantize.MEDIANCUT),
    "octree": partial(_pillow, method=Image.Quantize.FASTOCTREE),
    "kmeans": _kmeans,
    "libimagequant": _libimagequant,
}
"""Per-image quantizers on validated H×W×3 uint8 arrays, returning (uint8 index map, palette of at most
``colors`` rows, not yet trimmed). Dithering is not here: it runs batched on median-cut palettes."""


def _run(method: str, image: ImageLike, colors: int) -> Quantized:
    return _trim(*RAW[method](as_rgb(image), check_colors(colors)))


def mediancut(image: ImageLike, colors: int) -> Quantized:
    """Pillow median cut, no dithering."""
    return _run("mediancut", image, colors)


def octree(image: ImageLike, colors: int) -> Quantized:
    """Pillow fast octree."""
    return _run("octree", image, colors)


def kmeans(image: ImageLike, colors: int) -> Quantized:
    """Pillow median cut refined by k-means until at most one pixel changes cluster (``kmeans=2``); large
    images fit the palette on a subsample (:data:`KMEANS_PIXELS`)."""
    return _run("kmeans", image, colors)


def libimagequant(image: ImageLike, colors: int) -> Quantized:
    """libimagequant (``imagequant`` package), no dithering."""
    return _run("libimagequant", image, colors)


def mediancut_dither(image: ImageLike, colors: int) -> Quantized:
    """Median-cut palette, then exact Floyd–Steinberg dithering (registered as ``"dither"``)."""
    rgb = as_rgb(image)
    _, palette = RAW["mediancut"](rgb, check_colors(colors))
    return _trim(floyd_steinberg(rgb[None], [palette])[0], palette)


METHODS: dict[str, Callable[[ImageLike, int], Quantized]] = {
    "mediancut": mediancut,
    "octree": octree,
    "kmeans": kmeans,
    "dither": mediancut_dither,
    "libimagequant": libimagequant,
}


def check_method(method: str) -> str:
    """``method`` if it names a registered quantizer; ValueError listing the accepted names otherwise."""
    if method not in METHODS:
        learned = (f"; the learned {', '.join(LEARNED)} through colorcnn_repro.zoo.quantize"
                   if method in LEARNED else "")
        raise ValueError(f"unknown quantization method {method!r}; accepted: {', '.join(METHODS)}{learned}")
    return method


def quantize(image: ImageLike, method: str, colors: int) -> Quantized:
    """Quantize ``image`` to at most ``colors`` colours with the named method (a key of :data:`METHODS`)."""
    return METHODS[check_method(method)](image, colors)
