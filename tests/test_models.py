"""Models: backbones, ColorCNN (Sec. 3.2–3.3, Eq. 2–6), ColorCNN+ (Sec. 3.4, Eq. 8–9), classifiers, checkpoints."""
from __future__ import annotations

import io
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from colorcnn_repro.models import (
    CLASSIFIERS,
    ColorCNN,
    ColorCNNPlus,
    DnCNN,
    NormalizedClassifier,
    UNet,
    build_classifier,
    build_normalized_classifier,
    quantizer_checkpoint,
    quantizer_from_checkpoint,
)
from colorcnn_repro.models.checkpoint import load_quantizer_net
from colorcnn_repro.models.colorcnn import (
    channel_pooling_matrix,
    one_hot_map,
    paint,
    reference_ops,
    topk_softmax,
    weighted_palette,
)


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def image_batch(b: int = 2, size: int = 16, seed: int = 0) -> torch.Tensor:
    return torch.rand(b, 3, size, size, generator=torch.Generator().manual_seed(seed))


def lookup(palette: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """B×C×3 palette, B×H×W index → B×3×H×W image by plain indexing (Eq. 4 as a table look-up)."""
    b = torch.arange(palette.shape[0]).view(-1, 1, 1)
    return palette[b, index].permute(0, 3, 1, 2)


# ---------------------------------------------------------------- parameter counts

def test_unet64_parameter_count() -> None:
    assert n_params(UNet(64)) == 13_395_264


def test_dncnn_parameter_count() -> None:
    assert n_params(DnCNN()) == 593_472


def test_colorcnn_plus_head_parameter_count() -> None:
    model = ColorCNNPlus(width=64, bottleneck=16, depth=256)
    assert n_params(model.bottleneck) + n_params(model.color_mask) == 5_168
    assert n_params(model) == 13_395_264 + 5_168  # 13,400,432 as in the authors' code


def test_alexnet_parameter_count() -> None:
    assert n_params(build_classifier("alexnet", 10)) == 2_254_154


# ---------------------------------------------------------------- backbones

@pytest.mark.parametrize("size", [32, 48, 64, 96])
@pytest.mark.parametrize("backbone", [lambda: UNet(4), lambda: DnCNN(width=4, depth=5)], ids=["unet", "dncnn"])
def test_backbones_are_fully_convolutional(backbone, size: int) -> None:
    net = backbone().eval()
    with torch.no_grad():
        out = net(torch.rand(1, 3, size, size))
    assert out.shape == (1, 4, size, size)


@pytest.mark.parametrize("shape", [(33, 32), (32, 40), (24, 24), (100, 96)])
@pytest.mark.parametrize("backbone", [lambda: UNet(4), lambda: DnCNN(width=4, depth=3)], ids=["unet", "dncnn"])
def test_backbones_reject_sides_not_divisible_by_16(backbone, shape) -> None:
    with pytest.raises(ValueError, match="divisible by 16"):
        backbone()(torch.rand(1, 3, *shape))


def test_colorcnn_rejects_bad_image_shape() -> None:
    model = ColorCNN(4, width=2)
    with pytest.raises(ValueError, match="B×3×H×W"):
        model(torch.rand(1, 4, 16, 16), 4)
    with pytest.raises(ValueError, match="divisible by 16"):
        model(torch.rand(1, 3, 20, 16), 4)


# ---------------------------------------------------------------- palette and painting (Eq. 3–6), by hand

def tiny_image() -> torch.Tensor:
    """1×3×1×3: pixels red, blue, (0.5, 0.5, 1.0)."""
    pixels = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.5, 0.5, 1.0]])
    return pixels.T.reshape(1, 3, 1, 3)


def test_hard_palette_is_mean_of_member_pixels_by_hand() -> None:
    """Eq. 3: pixels 0 and 2 choose colour 0, pixel 1 colour 1, colour 2 is unused (black)."""
    x = tiny_image()
    index = torch.tensor([[[0, 1, 0]]])
    m = one_hot_map(index, 3)
    palette = weighted_palette(x, m)
    expected = torch.tensor([[[0.75, 0.25, 0.5], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]])
    torch.testing.assert_close(palette, expected)
    # Eq. 4: table look-up
    out = paint(m, palette)
    torch.testing.assert_close(out, lookup(palette, index))
    torch.testing.assert_close(out[0, :, 0, 0], torch.tensor([0.75, 0.25, 0.5]))
    torch.testing.assert_close(out[0, :, 0, 1], torch.tensor([0.0, 0.0, 1.0]))


def test_soft_palette_and_weighted_filling_by_hand() -> None:
    """Eq. 5–6 on two pixels, red and blue, with m = (0.75, 0.25) and (0.25, 0.75):
    t_0 = (0.75, 0, 0.25), t_1 = (0.25, 0, 0.75); x̃_0 = 0.75 t_0 + 0.25 t_1 = (0.625, 0, 0.375)."""
    x = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]).T.reshape(1, 3, 1, 2)
    m = torch.tensor([[0.75, 0.25], [0.25, 0.75]]).reshape(1, 2, 1, 2)  # m[0, c, 0, pixel]
    palette = weighted_palette(x, m)
    torch.testing.assert_close(palette, torch.tensor([[[0.75, 0.0, 0.25], [0.25, 0.0, 0.75]]]))
    out = paint(m, palette)
    torch.testing.assert_close(out[0, :, 0, 0], torch.tensor([0.625, 0.0, 0.375]))
    torch.testing.assert_close(out[0, :, 0, 1], torch.tensor([0.375, 0.0, 0.625]))


def fixed_map_model(monkeypatch, m: torch.Tensor, **kwargs) -> ColorCNN:
    model = ColorCNN(m.shape[1], width=2, **kwargs)
    monkeypatch.setattr(model, "probability_map", lambda x, colors: m)
    return model


def test_forward_hard_mode_uses_argmax_and_member_means(monkeypatch) -> None:
    """Test-time forward (Eq. 2–4) on a hand-set soft map: argmax, then the mean of member pixels."""
    x = tiny_image()
    m = torch.tensor([[0.6, 0.3, 0.8], [0.4, 0.7, 0.2]]).reshape(1, 2, 1, 3)  # argmax: 0, 1, 0
    out = fixed_map_model(monkeypatch, m).eval()(x, 2)
    assert out.index.tolist() == [[[0, 1, 0]]]
    torch.testing.assert_close(out.palette, torch.tensor([[[0.75, 0.25, 0.5], [0.0, 0.0, 1.0]]]))
    torch.testing.assert_close(out.image, lookup(out.palette, out.index))
    assert out.prob is m


def test_forward_train_mode_is_weighted_sum_by_hand(monkeypatch) -> None:
    """Train-time forward (Eq. 5–6) on a hand-set soft map: x̃ = Σ_c t_c m_c."""
    x = tiny_image()
    m = torch.tensor([[0.5, 0.25, 1.0], [0.5, 0.75, 0.0]]).reshape(1, 2, 1, 3)
    out = fixed_map_model(monkeypatch, m).train()(x, 2)
    pixels = x[0, :, 0].T  # 3 pixels × RGB
    t = torch.stack([(m[0, c, 0, :, None] * pixels).sum(0) / m[0, c].sum() for c in range(2)])
    torch.testing.assert_close(out.palette[0], t)
    expected = sum(m[0, c, 0, :, None] * t[c] for c in range(2))  # pixels × RGB
    torch.testing.assert_close(out.image[0, :, 0].T, expected)
    assert out.index is None


def test_palette_from_soft_option(monkeypatch) -> None:
    """The authors' ColorCNN+ code takes the test-time palette from the soft map; the paper (default) does not."""
    x = tiny_image()
    m = torch.tensor([[0.6, 0.3, 0.8], [0.4, 0.7, 0.2]]).reshape(1, 2, 1, 3)
    hard = fixed_map_model(monkeypatch, m).eval()(x, 2)
    soft = fixed_map_model(monkeypatch, m, palette_from_soft=True).eval()(x, 2)
    torch.testing.assert_close(soft.palette, weighted_palette(x, m))
    assert not torch.allclose(soft.palette, hard.palette)
    assert torch.equal(soft.index, hard.index)


# ---------------------------------------------------------------- real networks: test and train mode

def test_colorcnn_test_mode_uses_at_most_c_colours_from_the_palette() -> None:
    torch.manual_seed(0)
    model = ColorCNN(4, width=4).eval()
    x = image_batch(3, 32)
    out = model(x, 4)
    assert out.image.shape == x.shape and out.prob.shape == (3, 4, 32, 32) and out.palette.shape == (3, 4, 3)
    torch.testing.assert_close(out.prob.sum(1), torch.ones(3, 32, 32))
    assert torch.equal(out.index, out.prob.argmax(1))
    torch.testing.assert_close(out.image, lookup(out.palette, out.index), rtol=0, atol=1e-6)
    for b in range(3):
        assert len(torch.unique(out.image[b].flatten(1).T, dim=0)) <= 4
        for c in out.index[b].unique():  # Eq. 3 by hand
            members = x[b][:, out.index[b] == c]
            torch.testing.assert_close(out.palette[b, c], members.mean(1))
    index, palette = model.quantize(x, 4)
    assert torch.equal(index, out.index) and palette.dtype == torch.uint8
    torch.testing.assert_close(palette.float(), (out.palette * 255).round(), rtol=0, atol=0)


def test_colorcnn_train_mode_matches_eq5_eq6() -> None:
    torch.manual_seed(0)
    model = ColorCNN(3, width=4).train()
    x = image_batch(2, 16)
    out = model(x, 3)
    m = out.prob
    t = (m.unsqueeze(2) * x.unsqueeze(1)).sum((3, 4)) / m.sum((2, 3)).unsqueeze(-1)  # B×C×3 (Eq. 5)
    torch.testing.assert_close(out.palette, t, rtol=1e-5, atol=1e-6)
    x_tilde = (t[:, :, :, None, None] * m.unsqueeze(2)).sum(1)  # Eq. 6
    torch.testing.assert_close(out.image, x_tilde, rtol=1e-5, atol=1e-6)
    assert out.index is None
    # hard= overrides the mode
    assert model(x, 3, hard=True).index is not None


# ---------------------------------------------------------------- ColorCNN+ pooling and top-K (Eq. 8–9)

def test_channel_pooling_when_c_divides_d() -> None:
    pool = channel_pooling_matrix(4, 8)
    expected = torch.zeros(4, 8)
    for c in range(4):
        expected[c, 2 * c:2 * c + 2] = 0.5
    torch.testing.assert_close(pool, expected)


def test_channel_pooling_when_c_does_not_divide_d() -> None:
    """C=3, D=8: contiguous blocks [0, 2), [2, 5), [5, 8), each averaged."""
    pool = channel_pooling_matrix(3, 8)
    expected = torch.zeros(3, 8)
    expected[0, 0:2] = 1 / 2
    expected[1, 2:5] = 1 / 3
    expected[2, 5:8] = 1 / 3
    torch.testing.assert_close(pool, expected)


@pytest.mark.parametrize("depth", [8, 16, 256])
def test_channel_pooling_is_a_partition_for_every_c(depth: int) -> None:
    for colors in range(2, depth + 1):
        pool = channel_pooling_matrix(colors, depth)
        nonzero = pool > 0
        assert torch.allclose(pool.sum(1), torch.ones(colors))
        assert bool((nonzero.sum(0) == 1).all())  # every channel in exactly one block
        owner = nonzero.to(torch.int64).argmax(0)  # block of each channel
        # blocks are contiguous, non-empty and in order: owner runs 0, 0, …, 1, …, C−1 in steps of 0 or 1
        steps = owner.diff()
        assert owner[0] == 0 and owner[-1] == colors - 1 and bool(((steps == 0) | (steps == 1)).all())
        # averaging: every nonzero of a row is 1 / (block length)
        assert torch.allclose(pool.amax(1), 1 / nonzero.sum(1).float())


def test_temperature_divides_logits_before_softmax(monkeypatch) -> None:
    """m = softmax(logits / T): logits (0, ln 2) at T = 0.5 are (0, 2 ln 2), so m = (1/5, 4/5) by hand."""
    model = ColorCNN(2, width=4, head_width=4, temperature=0.5).eval()
    logits = torch.tensor([0.0, math.log(2)]).view(1, 2, 1, 1).expand(1, 2, 16, 16)
    monkeypatch.setattr(model, "logits", lambda features, colors: logits)
    m = model.probability_map(torch.rand(1, 3, 16, 16), 2)
    torch.testing.assert_close(m[0, :, 3, 5], torch.tensor([0.2, 0.8]))


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_temperature_must_be_positive(bad: float) -> None:
    with pytest.raises(ValueError, match="temperature must be > 0"):
        ColorCNNPlus(width=4, temperature=bad)


@pytest.mark.parametrize(("colors", "paper_max", "scaled_min"), [(2, 0.52, 0.56), (64, 0.30, 0.40)])
def test_temperature_spreads_a_fresh_map(colors: int, paper_max: float, scaled_min: float) -> None:
    """A fresh ColorCNN+ averages D/C channels per colour (Eq. 8), so its pooled logits barely differ at the
    paper's T = 1 (spread ≈ 0.03 at C = 2, 0.2 at C = 64 here) and the map is nearly uniform: mean max m ≈ 1/2
    at C = 2 and ≈ 1/K = 1/4 under the top-4 mask at C = 64. The same weights at T = 0.1 give a map that
    already prefers colours."""
    def mean_max(temperature: float) -> float:
        torch.manual_seed(0)
        model = ColorCNNPlus(width=4, temperature=temperature).train()
        with torch.no_grad():
            return float(model.probability_map(image_batch(4, 16, seed=1), colors).amax(1).mean())

    assert mean_max(1.0) < paper_max < scaled_min < mean_max(0.1)


@pytest.mark.parametrize("colors", [2, 3, 64, 256])
def test_pooled_weights_give_the_logits_of_the_pooled_map(colors: int) -> None:
    """The fast ColorCNN+ head (pooling matrix × 1×1 conv weights, then one C-channel conv) against the plain
    one (D-channel map, then Eq. 8), also for C that does not divide D."""
    torch.manual_seed(0)
    model = ColorCNNPlus(width=8, bottleneck=16, depth=256).eval()
    features = torch.randn(2, 8, 5, 7)
    with reference_ops():
        plain = model.logits(features, colors)
    torch.testing.assert_close(model.logits(features, colors), plain, atol=1e-5, rtol=0)


@pytest.mark.parametrize("kind", ["colorcnn", "colorcnn+"])
def test_channels_last_training_step_matches_nchw(kind: str) -> None:
    """The optimised path (channels-last memory, pooled weights) gives the plain path's map, image and
    gradients to 1e-5."""
    x = image_batch(2, 16, seed=3)
    results = []
    for optimised in (False, True):
        torch.manual_seed(0)
        model = ColorCNN(4, width=4, head_width=8) if kind == "colorcnn" else ColorCNNPlus(width=4, depth=16)
        model = model.train()
        if optimised:
            model, inp = model.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)
            out = model(inp, 4)
        else:
            with reference_ops():
                out = model(x, 4)
        out.image.square().mean().backward()
        results.append((out.prob, out.image, [p.grad for p in model.parameters()]))
    (m0, i0, g0), (m1, i1, g1) = results
    torch.testing.assert_close(m1, m0, atol=1e-5, rtol=0)
    torch.testing.assert_close(i1, i0, atol=1e-5, rtol=0)
    for a, b in zip(g0, g1):
        torch.testing.assert_close(b, a, atol=1e-5, rtol=1e-4)


def test_colorcnn_plus_logits_are_pooled_h() -> None:
    torch.manual_seed(0)
    model = ColorCNNPlus(width=4, bottleneck=4, depth=8).eval()
    features = torch.randn(2, 4, 3, 3)
    h = model.color_mask(model.bottleneck(features))
    logits = model.logits(features, 3)
    torch.testing.assert_close(logits[:, 0], h[:, 0:2].mean(1))
    torch.testing.assert_close(logits[:, 1], h[:, 2:5].mean(1))
    torch.testing.assert_close(logits[:, 2], h[:, 5:8].mean(1))


@pytest.mark.parametrize(("colors", "k"), [(10, 4), (5, 1), (6, 5)])
def test_topk_softmax(colors: int, k: int) -> None:
    h = torch.randn(2, colors, 5, 7, generator=torch.Generator().manual_seed(1))
    m = topk_softmax(h, k)
    assert ((m > 0).sum(1) == k).all()
    torch.testing.assert_close(m.sum(1), torch.ones(2, 5, 7))
    values, idx = h.topk(k, dim=1)
    torch.testing.assert_close(m.gather(1, idx), values.softmax(1))
    # the nonzeros are exactly the top-K positions
    mask = torch.zeros_like(h, dtype=torch.bool).scatter(1, idx, True)
    assert torch.equal(m > 0, mask)


def test_topk_softmax_degenerates_to_softmax() -> None:
    h = torch.randn(2, 3, 4, 4)
    torch.testing.assert_close(topk_softmax(h, 0), h.softmax(1))
    torch.testing.assert_close(topk_softmax(h, 3), h.softmax(1))
    torch.testing.assert_close(topk_softmax(h, 4), h.softmax(1))  # K = min(K, C)


def test_colorcnn_plus_serves_every_c_with_one_model() -> None:
    torch.manual_seed(0)
    model = ColorCNNPlus(width=2, bottleneck=4, depth=16, topk=4).eval()
    x = image_batch(2, 16)
    for colors in range(2, 17):
        with torch.no_grad():
            out = model(x, colors)
        assert out.prob.shape == (2, colors, 16, 16)
        assert out.palette.shape == (2, colors, 3)
        assert int(out.index.max()) < colors
        assert ((out.prob > 0).sum(1) <= min(4, colors)).all()
        torch.testing.assert_close(out.prob.sum(1), torch.ones(2, 16, 16))
        torch.testing.assert_close(out.image, lookup(out.palette, out.index), rtol=0, atol=1e-6)


def test_colorcnn_plus_paper_depth_serves_extreme_c() -> None:
    torch.manual_seed(0)
    model = ColorCNNPlus(width=2, bottleneck=4, depth=256).eval()
    x = image_batch(1, 16)
    with torch.no_grad():
        for colors in (2, 3, 64, 100, 255, 256):
            assert model(x, colors).prob.shape[1] == colors


@pytest.mark.parametrize("colors", [1, 0, 17, 300])
def test_colorcnn_plus_rejects_c_outside_2_to_d(colors: int) -> None:
    model = ColorCNNPlus(width=2, bottleneck=2, depth=16)
    with pytest.raises(ValueError, match=f"C={colors}"):
        model(image_batch(1, 16), colors)


def test_colorcnn_rejects_other_c() -> None:
    model = ColorCNN(4, width=2)
    with pytest.raises(ValueError, match="C=3"):
        model(image_batch(1, 16), 3)
    for bad in (1, 257):
        with pytest.raises(ValueError, match=str(bad)):
            ColorCNN(bad, width=2)


# ---------------------------------------------------------------- gradients

@pytest.mark.parametrize("kind", ["colorcnn", "colorcnn+"])
def test_gradients_reach_backbone_not_frozen_classifier(kind: str) -> None:
    torch.manual_seed(0)
    model = (ColorCNN(4, width=4) if kind == "colorcnn" else ColorCNNPlus(width=4, bottleneck=4, depth=16)).train()
    clf = build_normalized_classifier("alexnet", 10, "cifar10").eval()
    for p in clf.parameters():
        p.requires_grad_(False)
    x = image_batch(4, 32)
    out = model(x, 4)
    loss = F.cross_entropy(clf(out.image), torch.tensor([0, 1, 2, 3]))
    loss.backward()
    backbone_grads = [p.grad for p in model.backbone.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in backbone_grads)
    assert sum(float(g.abs().sum()) for g in backbone_grads) > 0
    assert all(p.grad is None for p in clf.parameters())


def test_hard_mode_output_does_not_depend_on_network_weights_differentiably() -> None:
    """Test-time output (argmax + member means) carries no gradient to the network."""
    model = ColorCNN(4, width=2).eval()
    assert not model(image_batch(1, 16), 4).image.requires_grad


# ---------------------------------------------------------------- argmax ↔ palette property

@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), plus=st.booleans(), colors=st.integers(2, 8), batch=st.integers(1, 2),
       size=st.sampled_from([16, 32]))
def test_argmax_palette_consistency(seed: int, plus: bool, colors: int, batch: int, size: int) -> None:
    """Eq. 2–4 on random small networks and images: index = argmax m, image = palette[index], and every
    used palette entry is the mean of its member pixels (unused entries black)."""
    torch.manual_seed(seed)
    model = ColorCNNPlus(width=2, bottleneck=3, depth=8, topk=3) if plus else ColorCNN(colors, width=2, head_width=8)
    model.eval()
    x = torch.rand(batch, 3, size, size)
    with torch.no_grad():
        out = model(x, colors, hard=True)
    assert torch.equal(out.index, out.prob.argmax(1))
    torch.testing.assert_close(out.image, lookup(out.palette, out.index), rtol=0, atol=1e-6)
    for b in range(batch):
        used = out.index[b].unique()
        assert len(used) <= colors
        for c in range(colors):
            members = out.index[b] == c
            if members.any():
                torch.testing.assert_close(out.palette[b, c], x[b][:, members].mean(1), rtol=1e-5, atol=1e-6)
            else:
                assert torch.equal(out.palette[b, c], torch.zeros(3))


# ---------------------------------------------------------------- checkpoints

def trained_bn(model: torch.nn.Module, colors: int) -> torch.nn.Module:
    """One train-mode forward so BN running statistics differ from their initial values."""
    model.train()
    with torch.no_grad():
        model(image_batch(2, 16, seed=5), colors)
    return model.eval()


@pytest.mark.parametrize("kind", ["colorcnn", "colorcnn+"])
def test_checkpoint_round_trip(kind: str, tmp_path) -> None:
    torch.manual_seed(0)
    if kind == "colorcnn":
        model, colors = ColorCNN(4, width=4, head_width=8, mean=(0.5, 0.5, 0.5), std=(0.2, 0.3, 0.4),
                                 temperature=0.25), 4
    else:
        model, colors = ColorCNNPlus(width=4, bottleneck=3, depth=16, topk=2, palette_from_soft=True,
                                     temperature=0.1), 5
    trained_bn(model, colors)
    ckpt = quantizer_checkpoint(model)
    assert ckpt["kind"] == kind
    buf = io.BytesIO()
    torch.save(ckpt, buf)
    buf.seek(0)
    restored = quantizer_from_checkpoint(torch.load(buf, weights_only=True), expect=kind)
    assert type(restored) is type(model) and restored.config == model.config and not restored.training
    x = image_batch(2, 16, seed=9)
    a, b = model(x, colors), restored(x, colors)
    assert torch.equal(a.index, b.index) and torch.equal(a.image, b.image)
    # through a file, as the training code loads it
    torch.save(ckpt, tmp_path / "model.pt")
    from_file = load_quantizer_net(tmp_path / "model.pt", expect=kind)
    assert torch.equal(from_file(x, colors).image, a.image)


def test_checkpoint_mismatch_raises() -> None:
    plus = ColorCNNPlus(width=2, bottleneck=2, depth=8)
    ckpt = quantizer_checkpoint(plus)
    with pytest.raises(ValueError, match="'colorcnn\\+'.*'colorcnn'"):
        quantizer_from_checkpoint(ckpt, expect="colorcnn")
    with pytest.raises(ValueError, match="not a ColorCNN"):
        quantizer_from_checkpoint(plus.state_dict())
    with pytest.raises(ValueError, match="not a ColorCNN"):
        quantizer_from_checkpoint({"kind": "classifier", "state_dict": {}})
    with pytest.raises(ValueError, match="not a ColorCNN"):
        quantizer_from_checkpoint([1, 2, 3])


def test_missing_model_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="no trained model"):
        load_quantizer_net(tmp_path / "nothing.pt")


# ---------------------------------------------------------------- classifiers

@pytest.mark.parametrize("size", [32, 64, 96])
@pytest.mark.parametrize("name", ["alexnet", "vgg16", "resnet18"])
def test_classifiers_at_paper_sizes(name: str, size: int) -> None:
    model = build_classifier(name, 7).eval()
    with torch.no_grad():
        assert model(torch.rand(1, 3, size, size)).shape == (1, 7)


@pytest.mark.parametrize("classes", [1, 2, 100, 200])
def test_classifiers_any_class_count(classes: int) -> None:
    model = build_classifier("alexnet", classes).eval()
    with torch.no_grad():
        assert model(torch.rand(2, 3, 32, 32)).shape == (2, classes)


def test_normalized_classifier_normalizes_and_keeps_multilabel_flag() -> None:
    model = build_normalized_classifier("alexnet", 5, "cifar10", multilabel=True).eval()
    assert isinstance(model, NormalizedClassifier) and model.multilabel
    x = torch.rand(2, 3, 32, 32)
    mean = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
    z = (x - mean) / torch.tensor([0.2023, 0.1994, 0.2010]).view(1, 3, 1, 1)
    torch.testing.assert_close(model.normalize(x), z)
    torch.testing.assert_close(model.normalize(x, 4.0), z / 4)
    with torch.no_grad():
        torch.testing.assert_close(model(x), model.body(z))
    assert not build_normalized_classifier("alexnet", 5, "stl10").multilabel


def test_classifier_registry_unknown_name_lists_accepted() -> None:
    with pytest.raises(ValueError, match="resnet50") as err:
        build_classifier("resnet50", 10)
    for name in ("alexnet", "vgg16", "resnet18"):
        assert name in str(err.value)
    assert set(CLASSIFIERS) >= {"alexnet", "vgg16", "resnet18"}
    with pytest.raises(ValueError, match="num_classes"):
        build_classifier("alexnet", 0)
