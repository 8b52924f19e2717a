"""LearnedQuantizer: any image size through ColorCNN / ColorCNN+, checkpoints, the zoo, and clear errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from colorcnn_repro import zoo
from colorcnn_repro.models import ColorCNN, ColorCNNPlus, quantizer_checkpoint
from colorcnn_repro.quantizers.learned import (
    FewColorsWarning,
    LearnedQuantizer,
    pad_rgb_to_multiple,
    pad_to_multiple,
    tiled_quantize,
)
from colorcnn_repro.store import run_dir

# Untrained test networks often use few colours; the warning is checked in its own test.
pytestmark = pytest.mark.filterwarnings("ignore::colorcnn_repro.quantizers.learned.FewColorsWarning")


def noise(height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


@pytest.fixture(scope="module")
def plus() -> ColorCNNPlus:
    torch.manual_seed(0)
    return ColorCNNPlus(width=4, depth=64)


@pytest.fixture(scope="module")
def colorcnn4() -> ColorCNN:
    torch.manual_seed(0)
    return ColorCNN(4, width=4)


@pytest.mark.parametrize(("height", "width", "mode"), [(23, 37, "reflect"), (5, 20, "replicate"), (2, 2, "replicate")])
def test_pad_to_multiple(height: int, width: int, mode: str) -> None:
    x = torch.rand(1, 3, height, width)
    padded = pad_to_multiple(x)
    assert padded.shape[-2] % 16 == 0 and padded.shape[-1] % 16 == 0
    assert torch.equal(padded[..., :height, :width], x)
    h2, w2 = padded.shape[-2:]
    assert torch.equal(padded, torch.nn.functional.pad(x, (0, w2 - width, 0, h2 - height), mode=mode))


def test_pad_to_multiple_keeps_aligned_batches() -> None:
    x = torch.rand(2, 3, 32, 48)
    assert pad_to_multiple(x) is x


@pytest.mark.parametrize("shape", [(23, 37), (2, 2), (16, 16), (5, 40)])
@pytest.mark.parametrize("colors", [2, 8, 64])
def test_any_size_in_budget(plus: ColorCNNPlus, shape: tuple[int, int], colors: int) -> None:
    height, width = shape
    q = LearnedQuantizer(plus).quantize(noise(height, width), colors)
    assert q.shape == (height, width)
    assert q.num_colors <= colors
    assert int(q.index.max()) == q.num_colors - 1  # palette cut after the largest index used
    assert q.to_rgb().shape == (height, width, 3)


@pytest.mark.parametrize("shape", [(1, 1), (31, 1)])
def test_rejects_images_under_two_pixels_a_side(plus: ColorCNNPlus, shape: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="at least 2×2"):
        LearnedQuantizer(plus).quantize(noise(*shape), 4)


def test_matches_the_net_on_aligned_images(plus: ColorCNNPlus) -> None:
    image = noise(32, 48, seed=1)
    q = LearnedQuantizer(plus, device="cpu").quantize(image, 8)
    x = torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255
    index, palette = plus.quantize(x, 8)
    assert np.array_equal(q.index, index[0].numpy())
    assert np.array_equal(q.palette, palette[0, : q.num_colors].numpy())


@pytest.mark.parametrize(("height", "width"), [(23, 37), (5, 20), (32, 48)])
def test_pad_rgb_to_multiple_matches_the_tensor_padding(height: int, width: int) -> None:
    image = noise(height, width)
    x = torch.from_numpy(image).permute(2, 0, 1)[None].float()
    expected = pad_to_multiple(x)[0].permute(1, 2, 0).numpy()
    assert np.array_equal(pad_rgb_to_multiple(image), expected.astype(np.uint8))


def test_one_tile_covering_the_image_is_the_single_pass(plus: ColorCNNPlus) -> None:
    image = noise(64, 80, seed=2)
    x = torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255
    index, palette = plus.quantize(x, 16)
    q = tiled_quantize(plus, image, 16, tile=80, overlap=0)
    assert np.array_equal(q.index, index[0].numpy())
    assert np.array_equal(q.palette, palette[0, : q.num_colors].numpy())


def test_tiles_show_no_seams() -> None:
    """DnCNN (17 3×3 convs) sees 17 px a side: with 32 px of overlap every kept pixel has its whole
    receptive field in its window, so the tiled map is the single-pass map (up to float summation order)."""
    torch.manual_seed(0)
    net = ColorCNNPlus(backbone="dncnn", width=4, depth=64).eval()
    image = noise(96, 112, seed=3)
    whole = tiled_quantize(net, image, 8, tile=128, overlap=0)
    tiled = tiled_quantize(net, image, 8, tile=32, overlap=32, progress=False)
    assert (tiled.index == whole.index).mean() >= 0.999
    assert np.abs(tiled.palette.astype(int) - whole.palette.astype(int)).max() <= 1


def test_tiled_palette_is_the_mean_of_assigned_pixels(plus: ColorCNNPlus) -> None:
    image = noise(50, 70, seed=4)
    q = tiled_quantize(plus, image, 8, tile=16, overlap=16, progress=False)
    for c in np.unique(q.index):
        mean = image[q.index == c].mean(axis=0)
        assert np.abs(q.palette[c].astype(float) - mean).max() <= 0.5 + 1e-6


@pytest.mark.parametrize(("tile", "overlap", "match"), [(20, 16, "tile"), (0, 16, "tile"), (32, -16, "overlap"),
                                                         (32, 8, "overlap")])
def test_rejects_bad_tiling(plus: ColorCNNPlus, tile: int, overlap: int, match: str) -> None:
    with pytest.raises(ValueError, match=f"{match} must be .*got {tile if match == 'tile' else overlap}"):
        LearnedQuantizer(plus).quantize(noise(20, 20), 4, tile=tile, overlap=overlap)


def test_accepts_what_as_rgb_accepts(plus: ColorCNNPlus, tmp_path) -> None:
    rgba = np.dstack([noise(20, 30), np.full((20, 30), 128, np.uint8)])
    path = tmp_path / "rgba.png"
    Image.fromarray(rgba).save(path)
    quantizer = LearnedQuantizer(plus)
    for image in (path, Image.fromarray(noise(20, 30)).convert("L"), rgba, noise(20, 30).astype(np.float32) / 255):
        assert quantizer.quantize(image, 4).shape == (20, 30)


def test_runs_in_eval_mode(plus: ColorCNNPlus) -> None:
    plus.train()
    LearnedQuantizer(plus).quantize(noise(16, 16), 4)
    assert not plus.training


def test_colorcnn_serves_only_its_colour_count(colorcnn4: ColorCNN) -> None:
    quantizer = LearnedQuantizer(colorcnn4)
    assert quantizer.quantize(noise(20, 20), 4).num_colors <= 4
    with pytest.raises(ValueError, match=r"C=4.*C=8"):
        quantizer.quantize(noise(20, 20), 8)


@pytest.mark.parametrize("colors", [1, 257, 2.5, True])
def test_rejects_bad_colour_counts(plus: ColorCNNPlus, colors) -> None:
    with pytest.raises(ValueError, match="colors must be an integer"):
        LearnedQuantizer(plus).quantize(noise(16, 16), colors)


def test_colorcnn_plus_depth_limits_colours(plus: ColorCNNPlus) -> None:
    with pytest.raises(ValueError, match=r"2\.\.64"):
        LearnedQuantizer(plus).quantize(noise(16, 16), 128)


def test_loader_runs_once_per_colour_count() -> None:
    calls: list[int] = []

    def load(colors: int) -> ColorCNN:
        calls.append(colors)
        return ColorCNN(colors, width=4)

    quantizer = LearnedQuantizer(load)
    for colors in (2, 4, 2, 4):
        assert quantizer.quantize(noise(16, 16), colors).num_colors <= colors
    assert calls == [2, 4]


@pytest.mark.parametrize("kind", ["colorcnn", "colorcnn+"])
def test_checkpoint_round_trip(tmp_path, plus: ColorCNNPlus, colorcnn4: ColorCNN, kind: str) -> None:
    net = plus if kind == "colorcnn+" else colorcnn4
    path = tmp_path / "net.pt"
    torch.save(quantizer_checkpoint(net), path)
    image = noise(23, 37, seed=2)
    loaded = LearnedQuantizer.from_checkpoint(path, expect=kind).quantize(image, 4)
    direct = LearnedQuantizer(net).quantize(image, 4)
    assert np.array_equal(loaded.index, direct.index) and np.array_equal(loaded.palette, direct.palette)


def test_checkpoint_errors(tmp_path, colorcnn4: ColorCNN) -> None:
    path = tmp_path / "colorcnn.pt"
    torch.save(quantizer_checkpoint(colorcnn4), path)
    with pytest.raises(ValueError, match="holds a 'colorcnn' model but 'colorcnn\\+' was requested"):
        LearnedQuantizer.from_checkpoint(path, expect="colorcnn+")
    missing = tmp_path / "missing.pt"
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        LearnedQuantizer.from_checkpoint(missing)
    other = tmp_path / "classifier.pt"
    torch.save({"kind": "classifier", "state_dict": {}}, other)
    with pytest.raises(ValueError, match="not a ColorCNN/ColorCNN\\+ checkpoint"):
        LearnedQuantizer.from_checkpoint(other)
    text = tmp_path / "notes.pt"
    text.write_text("not a checkpoint")
    with pytest.raises(ValueError, match="notes.pt"):
        LearnedQuantizer.from_checkpoint(text)


def test_pretrained_loads_colorcnn_lazily(monkeypatch) -> None:
    calls: list[tuple] = []

    def fake(name: str, dataset: str, classifier: str, colors: int | None, profile: str) -> ColorCNN:
        calls.append((name, dataset, classifier, colors, profile))
        return ColorCNN(colors, width=4)

    monkeypatch.setattr(zoo.methods, "load_pretrained", fake)
    with pytest.warns(UserWarning, match="smoke-profile colorcnn model"):
        quantizer = zoo.pretrained_quantizer("colorcnn", profile="smoke")
    assert calls == []
    quantizer.quantize(noise(16, 16), 8)
    assert calls == [("colorcnn", "cifar10", "alexnet", 8, "smoke")]
    zoo.pretrained_quantizer("colorcnn", colors=4)
    assert calls[-1][3] == 4


def test_quantize_takes_every_method_by_name(monkeypatch, plus: ColorCNNPlus) -> None:
    """zoo.quantize(image, "colorcnn+", 4): learned names through the zoo (loaded once), classical ones as
    quantizers.quantize, anything else a ValueError listing all seven."""
    from colorcnn_repro.quantizers import quantize as classical

    loads: list[tuple] = []

    def fake(name: str, dataset: str, classifier: str, colors: int | None, profile: str) -> ColorCNNPlus:
        loads.append((name, dataset, classifier, colors, profile))
        return plus

    monkeypatch.setattr(zoo.methods, "load_pretrained", fake)
    zoo.quantizer.cache_clear()
    image = noise(20, 24)
    q = zoo.quantize(image, "colorcnn+", 4, device="cpu")
    expected = LearnedQuantizer(plus, "cpu").quantize(image, 4)
    np.testing.assert_array_equal(q.index, expected.index)
    np.testing.assert_array_equal(q.palette, expected.palette)
    zoo.quantize(image, "colorcnn+", 2, device="cpu")
    assert loads == [("colorcnn+", "cifar10", "alexnet", None, "cpu")]  # one load for every C
    mc = zoo.quantize(image, "mediancut", 4)
    np.testing.assert_array_equal(mc.index, classical(image, "mediancut", 4).index)
    with pytest.raises(ValueError, match="accepted: mediancut, octree, kmeans, dither, libimagequant, colorcnn, "
                                         "colorcnn\\+"):
        zoo.quantize(image, "popularity", 4)
    with pytest.raises(ValueError, match="the learned colorcnn, colorcnn\\+ through colorcnn_repro.zoo.quantize"):
        classical(image, "colorcnn+", 4)
    zoo.quantizer.cache_clear()


def test_pretrained_errors(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path))
    with pytest.raises(ValueError, match="unknown learned method 'classifier'; accepted: colorcnn, colorcnn\\+"):
        zoo.pretrained_quantizer("classifier")
    with pytest.raises(FileNotFoundError, match="train-colorcnn-plus"):
        zoo.pretrained_quantizer("colorcnn+", profile="smoke", dataset="no-such-dataset")


def test_warns_when_fewer_than_half_the_colours_are_used(plus: ColorCNNPlus) -> None:
    flat = np.full((16, 16, 3), 90, np.uint8)  # one colour in, so one colour out
    with pytest.warns(FewColorsWarning, match="colorcnn\\+ used 1 of the 8 colours asked for"):
        LearnedQuantizer(plus).quantize(flat, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FewColorsWarning)
        LearnedQuantizer(plus).quantize(flat, 2)


def test_readable_repr(tmp_path, plus: ColorCNNPlus) -> None:
    assert repr(LearnedQuantizer(plus, device="cpu")) == (
        "LearnedQuantizer('colorcnn+', source='given network', device='cpu')")
    path = tmp_path / "c4.pt"
    torch.save(quantizer_checkpoint(ColorCNN(4, width=4)), path)
    assert repr(LearnedQuantizer.from_checkpoint(path, device="cpu")) == (
        f"LearnedQuantizer('colorcnn', source='checkpoint {path}', device='cpu')")
    lazy = LearnedQuantizer(lambda colors: ColorCNN(colors, width=4), device="cpu", name="colorcnn")
    lazy.net_for(8)
    assert repr(lazy) == "LearnedQuantizer('colorcnn', source='given network', device='cpu', loaded C=[8])"
    unnamed = LearnedQuantizer(lambda colors: ColorCNN(colors, width=4), device="cpu")  # a loader names no method
    assert repr(unnamed) == "LearnedQuantizer('learned quantizer', source='given network', device='cpu', loaded C=[])"


def test_zoo_errors_list_the_colour_counts_that_exist(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path))
    for colors in (4, 16):  # model_file only needs the file to exist
        (run_dir("colorcnn", zoo.pretrained_config("colorcnn", colors=colors, profile="smoke")) / "model.pt").touch()
    assert zoo.available_colors(profile="smoke") == [4, 16]
    with pytest.raises(FileNotFoundError, match="ColorCNN colour counts trained for these settings: C=4, 16"):
        zoo.load_pretrained("colorcnn", colors=8, profile="smoke")
    with pytest.raises(ValueError, match=r"pass colors=C \(trained for these settings: C=4, 16\)"):
        zoo.load_pretrained("colorcnn", profile="smoke")
    with pytest.raises(FileNotFoundError, match="trained for these settings: none"):
        zoo.load_pretrained("colorcnn", colors=8, profile="smoke", dataset="stl10")


def test_a_set_of_sides_not_multiples_of_16_equals_each_image_quantized_alone(plus: ColorCNNPlus) -> None:
    images = np.stack([noise(18, 30, 1), noise(18, 30, 2)])
    learned = LearnedQuantizer.from_nets("colorcnn+", {4: plus}, batch_size=2)
    qs = learned.quantize_set(images, 4)
    assert qs.index.shape == (2, 18, 30) and qs.palette.shape == (2, 4, 3)
    for i, image in enumerate(images):
        np.testing.assert_array_equal(qs[i].to_rgb(), learned.quantize(image, 4).to_rgb())


def test_one_interface_for_every_method(plus: ColorCNNPlus) -> None:
    """Classical and learned quantizers answer the same two calls: one image → Quantized, a set → QuantizedSet;
    a set's item equals the image quantized alone."""
    from colorcnn_repro.quantized import QuantizedSet
    from colorcnn_repro.quantizers import ClassicalQuantizer, quantizers_for

    images = np.stack([noise(16, 16), noise(16, 16)[::-1]])
    learned = LearnedQuantizer.from_nets("colorcnn+", {2: plus, 4: plus}, batch_size=1)
    quantizers = quantizers_for(("mediancut", "colorcnn+"), {"colorcnn+": learned})
    assert isinstance(quantizers["mediancut"], ClassicalQuantizer) and quantizers["colorcnn+"] is learned
    for name, quantizer in quantizers.items():
        assert quantizer.name == name
        qs = quantizer.quantize_set(images, 4)
        assert isinstance(qs, QuantizedSet) and len(qs) == 2 and qs.rgb().shape == images.shape
        for i, image in enumerate(images):
            alone = quantizer.quantize(image, 4)
            np.testing.assert_array_equal(qs[i].to_rgb(), alone.to_rgb())
    with pytest.raises(ValueError, match="no colorcnn\\+ network for C=8; given for C=\\[2, 4\\]"):
        learned.quantize_set(images, 8)
    with pytest.raises(ValueError, match="no quantizer given for colorcnn; given: colorcnn\\+"):
        quantizers_for(("colorcnn",), {"colorcnn+": learned})
    with pytest.raises(ValueError, match="unknown quantization method 'popularity'"):
        ClassicalQuantizer("popularity")
