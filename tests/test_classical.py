"""Classical quantizers: colour budgets, equality with Pillow / imagequant, exact compiled dithering, the
batched path, and input conversion / validation."""
from __future__ import annotations

import re
import signal

import imagequant
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from colorcnn_repro.quantizers import (
    METHODS,
    as_rgb,
    batched,
    check_colors,
    classical,
    floyd_steinberg,
    floyd_steinberg_reference,
    load_image,
    mediancut,
    quantize,
    quantize_batch,
    to_quantized,
)
from colorcnn_repro.quantizers.classical import MAX_SIDE, nearest_colors

COLOR_COUNTS = [2, 4, 8, 16, 32, 64, 128, 256]
PILLOW_EQUIVALENTS = {
    "mediancut": {"method": Image.Quantize.MEDIANCUT},
    "octree": {"method": Image.Quantize.FASTOCTREE},
    "kmeans": {"method": Image.Quantize.MEDIANCUT, "kmeans": 2},
}

rgb_images = arrays(np.uint8, st.tuples(st.integers(2, 12), st.integers(2, 12), st.just(3)))


def noisy_gradient(height: int = 24, width: int = 20, seed: int = 0) -> np.ndarray:
    """A colourful test image: gradients plus noise (hundreds of distinct colours)."""
    rows, cols = np.mgrid[:height, :width]
    base = np.stack([rows * 255 / height, cols * 255 / width, (rows + cols) * 127 / (height + width)], axis=-1)
    noise = np.random.default_rng(seed).normal(0, 20, base.shape)
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def block_means(image: np.ndarray, block: int = 8) -> np.ndarray:
    h, w, c = image.shape
    return image.reshape(h // block, block, w // block, block, c).astype(float).mean(axis=(1, 3))


# --- colour budgets and equality with the reference libraries ---------------------------------------------


@pytest.mark.parametrize("colors", COLOR_COUNTS)
@pytest.mark.parametrize("method", list(METHODS))
def test_at_most_c_colours(method: str, colors: int) -> None:
    image = noisy_gradient()
    q = quantize(image, method, colors)
    assert q.shape == image.shape[:2]
    assert q.num_colors <= colors
    assert q.colors_used() <= colors
    assert int(q.index.max()) == q.num_colors - 1  # palette trimmed after the largest index used


@pytest.mark.parametrize("method", list(METHODS))
def test_few_colour_image_is_reproduced_exactly(method: str) -> None:
    palette = np.array([[230, 20, 20], [20, 230, 20], [20, 20, 230]], dtype=np.uint8)
    image = palette[np.random.default_rng(3).integers(0, 3, (16, 16))]
    np.testing.assert_array_equal(quantize(image, method, 4).to_rgb(), image)


@settings(max_examples=25, deadline=None)
@given(rgb_images, st.sampled_from(COLOR_COUNTS), st.sampled_from(sorted(PILLOW_EQUIVALENTS)))
def test_pillow_methods_are_pixel_identical_to_pillow(image: np.ndarray, colors: int, method: str) -> None:
    expected = Image.fromarray(image).quantize(colors, **PILLOW_EQUIVALENTS[method])
    q = quantize(image, method, colors)
    np.testing.assert_array_equal(q.to_rgb(), np.asarray(expected.convert("RGB")))
    np.testing.assert_array_equal(q.index, np.asarray(expected))


def test_mediancut_does_not_dither() -> None:
    image = np.broadcast_to(np.linspace(0, 255, 64).astype(np.uint8)[None, :, None], (8, 64, 3))
    index = mediancut(image, 4).index
    assert (np.diff(index.astype(int), axis=1) != 0).sum(axis=1).max() == 3  # 4 flat bands, no noise


@pytest.mark.filterwarnings("ignore:Image.Image.getdata is deprecated:DeprecationWarning")  # in imagequant
@settings(max_examples=15, deadline=None)
@given(rgb_images, st.sampled_from([2, 4, 16, 64]))
def test_libimagequant_matches_imagequant_pil_api(image: np.ndarray, colors: int) -> None:
    expected = imagequant.quantize_pil_image(Image.fromarray(image), dithering_level=0.0, max_colors=colors)
    q = quantize(image, "libimagequant", colors)
    np.testing.assert_array_equal(q.index, np.asarray(expected))
    np.testing.assert_array_equal(q.to_rgb(), np.asarray(expected.convert("RGB")))


def test_quantize_rejects_unknown_method_listing_accepted() -> None:
    with pytest.raises(ValueError, match="'popularity'.*mediancut, octree, kmeans, dither, libimagequant"):
        quantize(noisy_gradient(), "popularity", 4)


# --- dithering ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("colors", [2, 4])
def test_dithering_keeps_local_mean_colour(colors: int) -> None:
    ramp = np.linspace(0, 255, 64)
    image = np.stack(np.broadcast_arrays(ramp[None, :], 255 - ramp[None, :], np.full((64, 1), 100.0)), axis=-1)
    image = image.astype(np.uint8)
    target = block_means(image)
    plain = np.abs(block_means(quantize(image, "mediancut", colors).to_rgb()) - target).mean()
    dithered = np.abs(block_means(quantize(image, "dither", colors).to_rgb()) - target).mean()
    assert dithered < 0.7 * plain  # measured: 0.56 (C=2; the ramp ends lie outside the palette), 0.36 (C=4)


@st.composite
def dither_problems(draw: st.DrawFn) -> tuple[np.ndarray, list[np.ndarray]]:
    """A batch of small images with per-image palettes of different sizes; few distinct values, so that
    distance ties, duplicate palette rows and clamping all occur."""
    values = st.sampled_from([0, 1, 63, 64, 127, 128, 200, 254, 255])
    batch = draw(st.integers(1, 3))
    shape = (batch, draw(st.integers(1, 9)), draw(st.integers(1, 9)), 3)
    images = draw(arrays(np.uint8, shape, elements=values))
    palettes = [draw(arrays(np.uint8, (draw(st.integers(1, 6)), 3), elements=values)) for _ in range(batch)]
    return images, palettes


@settings(max_examples=60, deadline=None)
@given(dither_problems())
def test_compiled_floyd_steinberg_equals_reference_loop(problem: tuple[np.ndarray, list[np.ndarray]]) -> None:
    images, palettes = problem
    expected = np.stack([floyd_steinberg_reference(img, pal) for img, pal in zip(images, palettes)])
    np.testing.assert_array_equal(floyd_steinberg(images, palettes), expected)


def test_floyd_steinberg_equals_reference_on_natural_images() -> None:
    images = np.stack([noisy_gradient(17, 23, seed) for seed in range(3)])
    palettes = [mediancut(img, c).palette for img, c in zip(images, (2, 8, 32))]
    expected = np.stack([floyd_steinberg_reference(img, pal) for img, pal in zip(images, palettes)])
    np.testing.assert_array_equal(floyd_steinberg(images, palettes), expected)


def test_floyd_steinberg_ties_go_to_the_first_entry() -> None:
    image = np.full((1, 3, 3, 3), 127, dtype=np.uint8)
    palette = np.array([[0, 0, 0], [254, 254, 254]], dtype=np.uint8)  # 127 is equidistant
    index = floyd_steinberg(image, [palette])[0]
    assert index[0, 0] == 0
    np.testing.assert_array_equal(index, floyd_steinberg_reference(image[0], palette))


def test_floyd_steinberg_rejects_mismatched_palettes() -> None:
    with pytest.raises(ValueError, match="2 palettes for 1 images"):
        floyd_steinberg(np.zeros((1, 4, 4, 3), np.uint8), [np.zeros((2, 3), np.uint8)] * 2)


def test_nearest_colors_by_hand() -> None:
    """(10, 10, 10) is 10²·3 = 300 from black and 20²+10²+10² = 600 from (30, 0, 0); (15, 0, 0) is 225 from
    both black and (30, 0, 0), a tie that goes to the first row; (250, 250, 250) is nearest to white."""
    rgb = np.array([[[10, 10, 10], [15, 0, 0], [250, 250, 250], [29, 1, 0]]], dtype=np.uint8)
    palette = np.array([[0, 0, 0], [30, 0, 0], [255, 255, 255]], dtype=np.uint8)
    np.testing.assert_array_equal(nearest_colors(rgb, palette), [[0, 0, 2, 1]])


def test_kmeans_on_a_large_image_fits_a_subsample_and_maps_every_pixel(monkeypatch) -> None:
    """Over KMEANS_PIXELS pixels the palette comes from Pillow's k-means on the strided subsample, and every
    pixel takes its nearest palette colour; at or under it, Pillow's result on the whole image is kept."""
    image = noisy_gradient(40, 48, 0)
    whole = quantize(image, "kmeans", 8)
    monkeypatch.setattr(classical, "KMEANS_PIXELS", 40 * 48)
    same = quantize(image, "kmeans", 8)
    np.testing.assert_array_equal(same.index, whole.index)
    monkeypatch.setattr(classical, "KMEANS_PIXELS", 20 * 24)  # step 2
    big = quantize(image, "kmeans", 8)
    sub = Image.fromarray(np.ascontiguousarray(image[::2, ::2])).quantize(8, method=Image.Quantize.MEDIANCUT,
                                                                          kmeans=2)
    np.testing.assert_array_equal(big.palette, np.asarray(sub.getpalette("RGB"), np.uint8).reshape(-1, 3)[:8])
    np.testing.assert_array_equal(big.index, nearest_colors(image, big.palette))


# --- batched path -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", list(METHODS))
def test_batched_equals_per_image(method: str) -> None:
    images = np.stack([noisy_gradient(12, 10, seed) for seed in range(5)])
    images[4] = images[4, :1, :1]  # one flat image: a single colour used
    index, palette = quantize_batch(torch.from_numpy(images).permute(0, 3, 1, 2), method, 8)
    assert index.dtype == torch.int64 and index.shape == (5, 12, 10)
    assert palette.dtype == torch.uint8 and palette.shape == (5, 8, 3)
    for b, image in enumerate(images):
        single = quantize(image, method, 8)
        batched = to_quantized(index, palette, b)
        np.testing.assert_array_equal(batched.index, single.index)
        np.testing.assert_array_equal(batched.palette, single.palette)
        assert not palette[b, single.num_colors:].any()  # padding rows are zero


def test_batched_input_forms_agree() -> None:
    images = np.stack([noisy_gradient(8, 8, seed) for seed in range(3)])
    as_tensor = torch.from_numpy(images).permute(0, 3, 1, 2)
    reference = quantize_batch(images, "dither", 4)
    for form in (as_tensor, as_tensor.float() / 255, as_tensor.double() / 255):
        for got, want in zip(quantize_batch(form, "dither", 4), reference):
            assert torch.equal(got, want)


@pytest.mark.slow  # starts two spawned worker processes (a few seconds)
def test_batched_worker_pool_equals_in_process() -> None:
    images = np.stack([noisy_gradient(8, 8, seed) for seed in range(6)])
    for got, want in zip(quantize_batch(images, "kmeans", 4, workers=2), quantize_batch(images, "kmeans", 4)):
        assert torch.equal(got, want)


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (torch.zeros(2, 8, 8, 3, dtype=torch.uint8), r"\(B, 3, H, W\)"),
        (torch.full((2, 3, 8, 8), 2.0), r"\[0, 1\].*2\.0"),
        (np.zeros((2, 8, 8), np.uint8), r"\(B, H, W, 3\)"),
        (np.zeros((2, 1, 8, 3), np.uint8), "8×1"),
    ],
)
def test_batched_rejects_bad_input(images: torch.Tensor | np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        quantize_batch(images, "mediancut", 4)


# --- input conversion and validation ------------------------------------------------------------------------


def test_rgb_passes_through() -> None:
    image = noisy_gradient()
    np.testing.assert_array_equal(as_rgb(image), image)
    np.testing.assert_array_equal(as_rgb(Image.fromarray(image)), image)


def test_greyscale_becomes_rgb() -> None:
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    expected = np.repeat(grey[:, :, None], 3, axis=2)
    for image in (grey, grey[:, :, None], Image.fromarray(grey)):
        np.testing.assert_array_equal(as_rgb(image), expected)
    bilevel = Image.fromarray(grey > 100)
    assert bilevel.mode == "1"
    np.testing.assert_array_equal(as_rgb(bilevel), np.repeat((grey[:, :, None] > 100) * 255, 3, axis=2))


def test_alpha_is_composited_on_white() -> None:
    rgba = np.array([[[200, 10, 50, 255], [200, 10, 50, 0]], [[0, 0, 0, 128], [100, 100, 100, 51]]], np.uint8)
    expected = np.array([[[200, 10, 50], [255, 255, 255]], [[127, 127, 127], [224, 224, 224]]], np.uint8)
    np.testing.assert_array_equal(as_rgb(rgba), expected)
    np.testing.assert_array_equal(as_rgb(Image.fromarray(rgba, "RGBA")), expected)
    la = Image.fromarray(rgba[:, :, [0, 3]], "LA")
    np.testing.assert_array_equal(as_rgb(la), np.repeat(expected[:, :, :1], 3, axis=2))


def test_palette_mode_becomes_rgb() -> None:
    palette = np.array([[255, 0, 0], [0, 0, 255], [9, 99, 199]], dtype=np.uint8)
    index = np.array([[0, 1, 2], [2, 1, 0]], dtype=np.uint8)
    image = Image.fromarray(index, "P")
    image.putpalette(palette.reshape(-1).tolist())
    np.testing.assert_array_equal(as_rgb(image), palette[index])
    image.info["transparency"] = 1
    with_white = palette.copy()
    with_white[1] = 255
    np.testing.assert_array_equal(as_rgb(image), with_white[index])


def test_sixteen_bit_images_are_scaled() -> None:
    values = np.array([[0, 257], [257 * 128, 65535]], dtype=np.uint16)
    expected = np.array([[0, 1], [128, 255]], dtype=np.uint8)
    image = Image.fromarray(values)
    assert image.mode == "I;16"
    np.testing.assert_array_equal(as_rgb(image), np.repeat(expected[:, :, None], 3, axis=2))
    np.testing.assert_array_equal(as_rgb(np.stack([values] * 3, axis=-1)), np.stack([expected] * 3, axis=-1))


def test_float_images_in_unit_range() -> None:
    image = np.array([[[0.0, 0.5, 1.0], [0.2, 0.4, 0.6]]] * 2, dtype=np.float32)
    np.testing.assert_array_equal(as_rgb(image), np.rint(image * 255).astype(np.uint8))
    with pytest.raises(ValueError, match=r"\[0, 1\].*3\.0"):
        as_rgb(image * 3)


def test_image_files_are_loaded(tmp_path) -> None:
    image = noisy_gradient()
    Image.fromarray(image).save(tmp_path / "image.png")
    np.testing.assert_array_equal(load_image(tmp_path / "image.png"), image)
    np.testing.assert_array_equal(quantize(str(tmp_path / "image.png"), "mediancut", 4).to_rgb(),
                                  quantize(image, "mediancut", 4).to_rgb())


def test_non_image_file_is_rejected(tmp_path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not an image")
    with pytest.raises(ValueError, match="notes.txt.*not an image file readable by Pillow"):
        quantize(path, "mediancut", 4)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((1, 1, 3), np.uint8), "1×1"),
        (Image.new("RGB", (1, 1)), "1×1"),
        (np.zeros((2, MAX_SIDE + 1, 3), np.uint8), f"{MAX_SIDE + 1}×2.*too large"),
        (Image.new("L", (2, MAX_SIDE + 1)), f"2×{MAX_SIDE + 1}.*too large"),
        (np.zeros((4, 4, 3, 2), np.uint8), r"shape \(4, 4, 3, 2\)"),
        (np.zeros((3, 8, 8), np.uint8), r"shape \(3, 8, 8\)"),
        (np.zeros((4, 4, 3), np.int64), "int64"),
        (np.full((4, 4, 3), np.nan), "nan"),
    ],
)
def test_bad_images_are_rejected(image: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        quantize(image, "mediancut", 4)


@pytest.mark.parametrize("colors", [1, 257, 0, -4, 2.0, "8", True, None])
def test_bad_colour_counts_are_rejected(colors: object) -> None:
    with pytest.raises(ValueError, match=re.escape(f"2..256, got {colors!r}")):
        check_colors(colors)
    with pytest.raises(ValueError, match="got"):
        quantize(noisy_gradient(), "octree", colors)  # type: ignore[arg-type]


def test_colour_counts_accept_numpy_integers() -> None:
    assert check_colors(np.int64(16)) == 16


def test_pool_workers_leave_interrupts_to_the_parent() -> None:
    """A Jupyter kernel's interrupt reaches the whole process group; only the parent handles it."""
    assert batched._get_pool(1).apply(signal.getsignal, (signal.SIGINT,)) == signal.SIG_IGN
