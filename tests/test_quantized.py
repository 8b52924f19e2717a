"""The Quantized type: validation, reconstruction, indexed PNG (lossless, minimal bit depth), bitrates."""
from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from colorcnn_repro.quantized import Quantized, jpeg_bpp


@st.composite
def quantized_images(draw: st.DrawFn) -> Quantized:
    """Random index maps over random palettes (duplicate and unused entries included)."""
    colors = draw(st.integers(1, 256))
    palette = draw(arrays(np.uint8, (colors, 3), elements=st.sampled_from([0, 1, 127, 128, 254, 255])))
    shape = draw(st.tuples(st.integers(1, 24), st.integers(1, 24)))
    index = draw(arrays(np.int64, shape, elements=st.integers(0, colors - 1)))
    return Quantized(index, palette)


def distinct_palette(n: int) -> np.ndarray:
    values = np.arange(n)
    return np.stack([values % 256, values // 256, np.full(n, 7)], axis=1).astype(np.uint8)


def png_header(data: bytes) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">IIBB", data[16:26])


@settings(max_examples=60, deadline=None)
@given(quantized_images())
def test_indexed_png_round_trip_is_lossless(q: Quantized) -> None:
    restored = Quantized.from_png(q.png_bytes())
    np.testing.assert_array_equal(restored.to_rgb(), q.to_rgb())
    assert restored.num_colors == q.colors_used()


@pytest.mark.parametrize(
    ("colors", "bits"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 4), (16, 4), (17, 8), (200, 8), (256, 8)]
)
def test_png_bit_depth_is_minimal(colors: int, bits: int) -> None:
    index = np.arange(20 * 30).reshape(20, 30) % colors
    q = Quantized(index, distinct_palette(colors))
    data = q.png_bytes()
    assert png_header(data) == (30, 20, bits, 3)  # colour type 3: indexed
    with Image.open(io.BytesIO(data)) as img:
        assert img.mode == "P"
        assert len(img.getpalette()) == 3 * colors
        np.testing.assert_array_equal(np.asarray(img.convert("RGB")), q.to_rgb())


def test_bit_depth_counts_used_distinct_colours_only() -> None:
    palette = np.array([[1, 2, 3], [1, 2, 3], [9, 9, 9], [50, 50, 50], [0, 0, 0]], dtype=np.uint8)
    index = np.array([[0, 1], [1, 0]])  # one colour used, through two duplicate entries
    q = Quantized(index, palette)
    assert q.colors_used() == 1
    assert q.compact().num_colors == 1
    assert png_header(q.png_bytes())[2] == 1


def test_one_colour_image_costs_well_under_a_tenth_of_a_bit() -> None:
    q = Quantized(np.zeros((256, 256), dtype=np.uint8), np.array([[10, 200, 30]], dtype=np.uint8))
    assert q.bpp() < 0.02
    assert q.bpp() == 8 * len(q.png_bytes()) / (256 * 256)


def test_to_rgb_is_a_palette_lookup() -> None:
    palette = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255]], dtype=np.uint8)
    q = Quantized(np.array([[0, 1], [2, 0]]), palette)
    np.testing.assert_array_equal(q.to_rgb(), palette[[[0, 1], [2, 0]]])
    assert q.shape == (2, 2) and q.num_colors == 3 and q.index.dtype == np.uint8


def test_save_png_writes_png_bytes(tmp_path) -> None:
    q = Quantized(np.array([[0, 1], [1, 1]]), np.array([[0, 0, 0], [255, 255, 255]], dtype=np.uint8))
    path = tmp_path / "q.png"
    q.save_png(path)
    assert path.read_bytes() == q.png_bytes()


@pytest.mark.parametrize(
    ("index", "palette", "message"),
    [
        (np.zeros((2, 2, 1), int), np.zeros((2, 3), np.uint8), "H×W"),
        (np.zeros((2, 2), int), np.zeros((2, 4), np.uint8), "C×3"),
        (np.zeros((2, 2), int), np.zeros((257, 3), np.uint8), "C×3"),
        (np.zeros((2, 2), int), np.zeros((2, 3), np.float32), "uint8"),
        (np.full((2, 2), 2), np.zeros((2, 3), np.uint8), r"\[0, 2\)"),
        (np.full((2, 2), -1), np.zeros((2, 3), np.uint8), r"\[0, 2\)"),
    ],
)
def test_invalid_quantized_is_rejected(index: np.ndarray, palette: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Quantized(index, palette)


def test_from_png_rejects_rgb_png() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, format="PNG")
    with pytest.raises(ValueError, match="'RGB'"):
        Quantized.from_png(buf.getvalue())


def smooth_image() -> np.ndarray:
    rows, cols = np.mgrid[:64, :64]
    return np.stack([rows * 4, cols * 4, (rows + cols) * 2], axis=-1).astype(np.uint8)


def test_jpeg_bpp_is_sensible_and_grows_with_quality() -> None:
    image = smooth_image()
    rates = []
    for quality in (10, 50, 95):
        decoded, bpp = jpeg_bpp(image, quality)
        assert decoded.shape == image.shape and decoded.dtype == np.uint8
        assert 0 < bpp < 24
        rates.append(bpp)
    assert rates[0] < rates[1] < rates[2]
    decoded, _ = jpeg_bpp(image, 95)
    assert np.abs(decoded.astype(int) - image).mean() < 3


@pytest.mark.parametrize("quality", [0, 101])
def test_jpeg_quality_out_of_range(quality: int) -> None:
    with pytest.raises(ValueError, match=str(quality)):
        jpeg_bpp(smooth_image(), quality)
