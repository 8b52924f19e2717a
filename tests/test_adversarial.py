"""Adversarial attacks and the quantization defense (Sec. 4.4): FGSM / PGD bounds and direction, gradients
through the ColorCNN+ train-time path and BPDA, and the end-to-end study on tiny models."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from colorcnn_repro.data import ImageArrays
from colorcnn_repro.evaluation.adversarial import (
    _input_grad,
    adversarial_defense,
    apply_defense,
    fgsm,
    pgd,
    run_attack,
    through_net,
    through_transform,
)
from colorcnn_repro.models import ColorCNNPlus, NormalizedClassifier
from colorcnn_repro.quantizers import ClassicalQuantizer
from colorcnn_repro.quantizers.learned import LearnedQuantizer


class Tiny(nn.Module):
    """Conv → ReLU → global average pool → linear: a 3-class classifier small enough for exact checks."""

    def __init__(self, classes: int = 3, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(8, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pool(self.features(x)).flatten(1))


def tiny_classifier(seed: int = 0) -> NormalizedClassifier:
    clf = NormalizedClassifier(Tiny(seed=seed), (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)).eval()
    for p in clf.parameters():
        p.requires_grad_(False)
    return clf


def linear_model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(3 * 4 * 4, 5))


def batch(n: int = 6, size: int = 4, lo: float = 0.0, hi: float = 1.0, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    x = lo + (hi - lo) * torch.rand(n, 3, size, size, generator=g)
    y = torch.randint(0, 3, (n,), generator=g)
    return x, y


def losses(model, x, y) -> torch.Tensor:
    with torch.no_grad():
        return F.cross_entropy(model(x), y, reduction="none")


# ---------------------------------------------------------------- FGSM

@pytest.mark.parametrize("eps", [1, 4, 8])
def test_fgsm_bounded_and_increases_loss(eps: float) -> None:
    model = linear_model()
    x, y = batch(lo=0.2, hi=0.8)  # away from the [0, 1] borders: the full step is taken
    xa = fgsm(model, x, y, eps)
    delta = (xa - x).abs()
    assert delta.max() <= eps / 255 + 1e-6
    assert torch.allclose(delta, torch.full_like(delta, eps / 255), atol=1e-6)  # a full sign step everywhere
    # cross-entropy of a linear model is convex in x: one ascent step raises every image's loss
    assert (losses(model, xa, y) > losses(model, x, y)).all()


def test_fgsm_clamps_and_zero_eps_is_identity() -> None:
    model = linear_model()
    x, y = batch()
    x[:, :, 0, 0] = 0.0
    x[:, :, 1, 1] = 1.0
    xa = fgsm(model, x, y, 64)
    assert xa.min() >= 0 and xa.max() <= 1
    assert torch.equal(fgsm(model, x, y, 0), x)
    with pytest.raises(ValueError):
        fgsm(model, x, y, -1)


# ---------------------------------------------------------------- PGD

@pytest.mark.parametrize("random_start", [True, False])
def test_pgd_stays_in_eps_ball_and_unit_range(random_start: bool) -> None:
    model = tiny_classifier()
    x, y = batch(n=8, size=8)
    x[:, 0] = 0.0  # pixels on both borders of [0, 1]
    x[:, 1, :4] = 1.0
    for eps in (1, 8, 32):
        xa = pgd(model, x, y, eps, steps=7, random_start=random_start, generator=torch.Generator().manual_seed(1))
        assert (xa - x).abs().max() <= eps / 255 + 1e-6
        assert xa.min() >= 0 and xa.max() <= 1


def test_pgd_increases_loss_and_is_seeded() -> None:
    model = linear_model()
    x, y = batch(lo=0.2, hi=0.8)
    xa = pgd(model, x, y, 8, steps=10, generator=torch.Generator().manual_seed(0))
    assert losses(model, xa, y).sum() > losses(model, x, y).sum()
    xb = pgd(model, x, y, 8, steps=10, generator=torch.Generator().manual_seed(0))
    assert torch.equal(xa, xb)
    with pytest.raises(ValueError):
        pgd(model, x, y, 8, steps=0)


def test_run_attack_returns_8bit_images_in_the_ball() -> None:
    clf = tiny_classifier()
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (10, 8, 8, 3), dtype=np.uint8)
    labels = rng.integers(0, 3, 10)
    for attack in ("fgsm", "pgd"):
        adv = run_attack(clf, images, labels, attack, 4, device=torch.device("cpu"), batch_size=3, pgd_steps=3)
        assert adv.dtype == np.uint8 and adv.shape == images.shape
        assert np.abs(adv.astype(int) - images.astype(int)).max() <= 4
        assert (adv != images).any()
    with pytest.raises(ValueError):
        run_attack(clf, images, labels, "cw", 4, device=torch.device("cpu"))


# ---------------------------------------------------------------- through the pipeline

def tiny_plus(seed: int = 0) -> ColorCNNPlus:
    torch.manual_seed(seed)
    return ColorCNNPlus(width=4, bottleneck=4, depth=16, topk=4).eval()


@pytest.mark.parametrize("surrogate", ["straight_through", "soft"])
def test_attack_through_colorcnn_plus_has_gradient(surrogate: str) -> None:
    clf, net = tiny_classifier(), tiny_plus()
    x, y = batch(n=4, size=16)
    fn = through_net(clf, net, 4, surrogate)
    grad = _input_grad(fn, x, y, False)
    assert torch.isfinite(grad).all()
    assert grad.abs().sum() > 0
    assert not any(p.grad is not None for p in net.parameters())  # only the input is differentiated
    with torch.no_grad():
        expected = net(x, 4, hard=surrogate == "straight_through").image
        assert torch.allclose(fn(x), clf(expected), atol=1e-5)  # forward value: hard (ST) or soft output


def test_straight_through_gradient_is_the_soft_vjp_at_the_hard_image() -> None:
    """BPDA: ∇ₓ = (d soft / dx)ᵀ · ∇ loss(clf(·)) evaluated at the hard (test-time) quantized image."""
    clf, net = tiny_classifier(), tiny_plus()
    x, y = batch(n=4, size=16)
    st = _input_grad(through_net(clf, net, 4), x, y, False)
    with torch.no_grad():
        hard = net(x, 4, hard=True).image
    at_hard = _input_grad(clf, hard, y, False)
    xr = x.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(net(xr, 4, hard=False).image, xr, at_hard)
    assert st.abs().sum() > 0
    assert torch.allclose(st, expected, atol=1e-7)


def test_bpda_identity_through_mediancut() -> None:
    clf = tiny_classifier()
    x, y = batch(n=3, size=8)
    x = (x * 255).round() / 255
    transform = lambda u8: apply_defense(u8, "mediancut", 4, {"mediancut": ClassicalQuantizer("mediancut")})  # noqa: E731
    fn = through_transform(clf, transform)
    grad = _input_grad(fn, x, y, False)
    u8 = (x * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
    xq = torch.from_numpy(transform(u8)).permute(0, 3, 1, 2).float() / 255
    assert torch.allclose(grad, _input_grad(clf, xq, y, False), atol=1e-6)  # identity backward at x̄
    assert grad.abs().sum() > 0


# ---------------------------------------------------------------- the study

def test_adversarial_defense_end_to_end() -> None:
    clf, net = tiny_classifier(), tiny_plus()
    rng = np.random.default_rng(0)
    data = ImageArrays(rng.integers(0, 256, (4, 16, 16, 3), dtype=np.uint8), rng.integers(0, 3, 4),
                       ["a", "b", "c"], "toy", "val")
    learned = {"colorcnn+": LearnedQuantizer.from_nets("colorcnn+", {2: net, 4: net})}
    out = adversarial_defense(clf, data, learned, eps_list=(8,), colors=(2, 4),
                              methods=("mediancut", "colorcnn+"), jpeg_qualities=(50,), pgd_steps=2,
                              batch_size=4, progress=False)
    defenses = {"none", "mediancut", "colorcnn+", "jpeg"}
    assert set(out["clean"]) == defenses
    for threat in ("attack_then_quantize", "attack_pipeline"):
        for attack in ("fgsm", "pgd"):
            for eps in ("8",):
                table = out[threat][attack][eps]
                assert set(table) == defenses
                assert set(table["colorcnn+"]) == {"2", "4"} and set(table["jpeg"]) == {"50"}
                accs = [table["none"]] + [v for k in ("mediancut", "colorcnn+", "jpeg") for v in table[k].values()]
                assert all(0.0 <= a <= 1.0 for a in accs)
                assert out["linf"][threat][attack][eps] <= int(eps)
    assert out["attack_pipeline"]["pgd"]["8"]["none"] == out["attack_then_quantize"]["pgd"]["8"]["none"]
    with pytest.raises(ValueError, match="no quantizer given for colorcnn; given: none"):
        adversarial_defense(clf, data, {}, methods=("colorcnn",), colors=(2,), progress=False)
