"""Losses of ColorCNN (Eq. 1, 7) and ColorCNN+ (Eq. 10–16), each on a case small enough to do by hand."""
from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from colorcnn_repro import losses
from colorcnn_repro.losses import (
    colorcnn_loss,
    colorcnn_plus_loss,
    distillation_loss,
    entropy,
    r_color,
    r_conf,
    r_info,
    relationship_preserving_loss,
    rp_weight,
    sample_pixels,
    task_loss,
)


def two_pixel_map() -> torch.Tensor:
    """1×2×1×2 map: pixel 0 has m = (0.9, 0.1), pixel 1 has m = (0.3, 0.7)."""
    return torch.tensor([[0.9, 0.3], [0.1, 0.7]]).reshape(1, 2, 1, 2)


def h2(p: float) -> float:
    """Entropy (nats) of (p, 1 − p)."""
    return -(p * math.log(p) + (1 - p) * math.log(1 - p))


# ---------------------------------------------------------------- entropy and regularizers

def test_entropy() -> None:
    """H(p) = −Σ p log p in nats; 0 for one-hot (0·log 0 = 0), log K for uniform."""
    p = torch.tensor([[0.25, 0.25, 0.25, 0.25], [1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]])
    torch.testing.assert_close(entropy(p, dim=1), torch.tensor([math.log(4), 0.0, math.log(2)]))
    torch.testing.assert_close(entropy(p.T, dim=0), entropy(p, dim=1))


def test_r_color_by_hand() -> None:
    """Eq. 7: R_color = −(1/C) Σ_c max_(u,v) m_c = −(0.9 + 0.7)/2 = −0.8; batch mean."""
    m = two_pixel_map()
    torch.testing.assert_close(r_color(m), torch.tensor(-0.8))
    flat = torch.full((1, 2, 1, 2), 0.5)  # max 0.5 for both colours
    torch.testing.assert_close(r_color(torch.cat([m, flat])), torch.tensor((-0.8 - 0.5) / 2))


def test_r_color_is_minimal_when_every_colour_is_chosen_somewhere() -> None:
    """Eq. 7 reaches −1 exactly when each colour has a pixel with probability 1."""
    chosen = F.one_hot(torch.tensor([[[0, 1, 2]]]), 3).permute(0, 3, 1, 2).float()
    unused = F.one_hot(torch.tensor([[[0, 1, 1]]]), 3).permute(0, 3, 1, 2).float()
    torch.testing.assert_close(r_color(chosen), torch.tensor(-1.0))
    torch.testing.assert_close(r_color(unused), torch.tensor(-2 / 3))


def test_r_info_by_hand() -> None:
    """Eq. 14: the image-mean map is (0.6, 0.4), so R_info = −H(0.6, 0.4) = 0.6 ln 0.6 + 0.4 ln 0.4."""
    torch.testing.assert_close(r_info(two_pixel_map()), torch.tensor(-h2(0.6)))
    balanced = torch.tensor([[1.0, 0.0], [0.0, 1.0]]).reshape(1, 2, 1, 2)  # mean (0.5, 0.5): −ln 2
    torch.testing.assert_close(r_info(balanced), torch.tensor(-math.log(2)))
    torch.testing.assert_close(r_info(torch.cat([two_pixel_map(), balanced])),
                               torch.tensor((-h2(0.6) - math.log(2)) / 2))


def test_r_conf_by_hand() -> None:
    """Eq. 15: R_conf = mean over pixels of H(m_uv) = (H(0.9, 0.1) + H(0.3, 0.7)) / 2; 0 for one-hot maps."""
    torch.testing.assert_close(r_conf(two_pixel_map()), torch.tensor((h2(0.9) + h2(0.3)) / 2))
    onehot = torch.tensor([[1.0, 0.0], [0.0, 1.0]]).reshape(1, 2, 1, 2)
    torch.testing.assert_close(r_conf(onehot), torch.tensor(0.0))


def test_entropy_mean_over_colors_by_hand() -> None:
    """The authors' code averages the entropies' terms over the C colours (Eq. 14–15 sum them): with C = 2,
    R_info = −H(0.6, 0.4)/2 and R_conf = (H(0.9, 0.1) + H(0.3, 0.7))/4."""
    torch.testing.assert_close(r_info(two_pixel_map(), "mean"), torch.tensor(-h2(0.6) / 2))
    torch.testing.assert_close(r_conf(two_pixel_map(), "mean"), torch.tensor((h2(0.9) + h2(0.3)) / 4))
    with pytest.raises(ValueError, match="'max'.*sum, mean"):
        r_info(two_pixel_map(), "max")


@pytest.mark.parametrize(("schedule", "weights"), [
    ("constant", [1, 1, 1, 1, 1, 1]),
    ("gate", [0, 0, 0, 1, 1, 1]),
    # sigmoid(log2 C − 4) at log2 C = 1 … 6: 1/(1 + e^3), 1/(1 + e^2), 1/(1 + e), 1/2, 1/(1 + e^−1), 1/(1 + e^−2)
    ("sigmoid", [0.047426, 0.119203, 0.268941, 0.5, 0.731059, 0.880797]),
])
def test_rp_weight_by_hand(schedule: str, weights: list[float]) -> None:
    """The factor on λ·L_RP at C = 2 … 64 under each schedule (Eq. 13's λ is constant)."""
    assert [rp_weight(schedule, 2**b) for b in range(1, 7)] == pytest.approx(weights, abs=1e-6)


def test_rp_weight_rejects_an_unknown_schedule() -> None:
    with pytest.raises(ValueError, match="'step'.*constant, gate, sigmoid"):
        rp_weight("step", 4)


# ---------------------------------------------------------------- relationship-preserving loss (Eq. 10–12)

def onehot_map(index: torch.Tensor, colors: int) -> torch.Tensor:
    return F.one_hot(index, colors).permute(0, 3, 1, 2).float()


def test_relationship_preserving_loss_by_hand() -> None:
    """Eq. 10–12, 2 colours, 4 pixels, N = 4 (fraction 1.0). Target clusters {0, 1}, {2, 3}; m puts pixels
    {0, 1, 3} in one colour and {2} in the other.

    Ã rows 0, 1, 3 are 1/√3 at columns 0, 1, 3; row 2 is e_2. Ã* rows 0, 1 are 1/√2 at 0, 1; rows 2, 3 are
    1/√2 at 2, 3. With a = 1/√3 − 1/√2 the squared row differences are 2a² + 1/3 (rows 0, 1),
    (1 − 1/√2)² + 1/2 (row 2) and 2/3 + 1/2 + a² (row 3): ‖Ã − Ã*‖²_F = 5a² + (1 − 1/√2)² + 7/3, over N = 4.
    """
    m = onehot_map(torch.tensor([[[0, 0], [1, 0]]]), 2)  # pixels in row-major order: 0, 0, 1, 0
    target = torch.tensor([[[0, 0], [1, 1]]])
    a = 1 / math.sqrt(3) - 1 / math.sqrt(2)
    expected = (5 * a**2 + (1 - 1 / math.sqrt(2)) ** 2 + 7 / 3) / 4
    g = torch.Generator().manual_seed(0)
    torch.testing.assert_close(relationship_preserving_loss(m, target, fraction=1.0, generator=g),
                               torch.tensor(expected))
    # the pixel order of the sample does not matter when every pixel is drawn
    for seed in range(1, 4):
        g = torch.Generator().manual_seed(seed)
        torch.testing.assert_close(relationship_preserving_loss(m, target, 1.0, g), torch.tensor(expected))


def rp_by_loops(m: np.ndarray, target: np.ndarray) -> float:
    """Eq. 10–12 written out entry by entry for one image (C×N soft map, N target indices)."""
    n = m.shape[1]
    k = target.max() + 1
    m_star = np.zeros((k, n))
    m_star[target, np.arange(n)] = 1
    total = 0.0
    for i in range(n):
        a = [sum(m[c, i] * m[c, j] for c in range(m.shape[0])) for j in range(n)]
        a_star = [sum(m_star[c, i] * m_star[c, j] for c in range(k)) for j in range(n)]
        na, ns = math.sqrt(sum(v * v for v in a)), math.sqrt(sum(v * v for v in a_star))
        total += sum((a[j] / na - a_star[j] / ns) ** 2 for j in range(n))
    return total / n


def test_relationship_preserving_loss_soft_map_matches_definition() -> None:
    g = torch.Generator().manual_seed(3)
    m = torch.rand(2, 3, 2, 3, generator=g).softmax(1)
    target = torch.randint(0, 3, (2, 2, 3), generator=g)
    expected = np.mean([rp_by_loops(m[b].flatten(1).double().numpy(), target[b].flatten().numpy())
                        for b in range(2)])
    got = relationship_preserving_loss(m, target, fraction=1.0, generator=g)
    assert got.item() == pytest.approx(expected, rel=1e-5)


@st.composite
def partitions(draw: st.DrawFn) -> tuple[torch.Tensor, int]:
    colors = draw(st.integers(2, 6))
    h, w = draw(st.integers(1, 5)), draw(st.integers(2, 5))
    b = draw(st.integers(1, 2))
    flat = draw(st.lists(st.integers(0, colors - 1), min_size=b * h * w, max_size=b * h * w))
    return torch.tensor(flat).view(b, h, w), colors


@settings(max_examples=60, deadline=None)
@given(partitions(), st.randoms(use_true_random=False), st.sampled_from([1.0, 0.3]), st.integers(0, 2**16))
def test_relationship_preserving_loss_ignores_cluster_labels(case, rnd, fraction: float, seed: int) -> None:
    """Eq. 10–12: m equal to the one-hot target gives zero loss under any relabelling of the target's clusters
    (including labels beyond C)."""
    target, colors = case
    labels = list(range(colors + 3))
    rnd.shuffle(labels)
    relabelled = torch.tensor(labels)[target]
    m = onehot_map(target, colors)
    g = torch.Generator().manual_seed(seed)
    assert relationship_preserving_loss(m, relabelled, fraction, g).item() == pytest.approx(0.0, abs=1e-10)


def same_partition(a: torch.Tensor, b: torch.Tensor) -> bool:
    a, b = a.flatten(), b.flatten()
    return bool(torch.equal(a[:, None] == a[None, :], b[:, None] == b[None, :]))


@settings(max_examples=60, deadline=None)
@given(partitions(), partitions())
def test_relationship_preserving_loss_positive_for_another_partition(case, other) -> None:
    """With every pixel sampled, L_RP > 0 exactly when m's partition differs from the target's."""
    target, colors = case
    guess = other[0].flatten()[: target.numel()]
    if guess.numel() < target.numel():
        guess = torch.cat([guess, torch.zeros(target.numel() - guess.numel(), dtype=torch.long)])
    guess = guess.view_as(target).clamp(max=colors - 1)
    loss = relationship_preserving_loss(onehot_map(guess, colors), target, 1.0).item()
    if all(same_partition(guess[b], target[b]) for b in range(len(target))):
        assert loss == pytest.approx(0.0, abs=1e-10)
    else:
        assert loss > 1e-6


def test_relationship_preserving_loss_positive_for_swapped_pixels() -> None:
    target = torch.tensor([[[0, 0, 1, 1]]])
    m = onehot_map(torch.tensor([[[0, 1, 0, 1]]]), 2)
    assert relationship_preserving_loss(m, target, 1.0).item() > 0.1


def test_dense_labels_by_hand() -> None:
    """Each row relabelled 0..K−1 in sorted order of its values: 3 → 0, 5 → 1, 9 → 2."""
    got = losses.dense_labels(torch.tensor([[5, 3, 5, 9, 3], [7, 7, 7, 7, 7]]))
    assert got.tolist() == [[1, 0, 1, 2, 0], [0, 0, 0, 0, 0]]


@pytest.mark.parametrize("colors", [2, 5, 64])
def test_relationship_preserving_loss_fast_form_matches_the_matrices(colors: int) -> None:
    """The per-cluster form gives the B×N×N matrices' value and gradient (≤ 1e-5), on the same sampled pixels."""
    from colorcnn_repro.models.colorcnn import reference_ops

    g = torch.Generator().manual_seed(colors)
    m = (3 * torch.randn(4, colors, 8, 8, generator=g)).softmax(1).requires_grad_()
    target = torch.randint(0, 9, (4, 8, 8), generator=g)
    fast = relationship_preserving_loss(m, target, 0.5, torch.Generator().manual_seed(1))
    (fast_grad,) = torch.autograd.grad(fast, m)
    with reference_ops():
        plain = relationship_preserving_loss(m, target, 0.5, torch.Generator().manual_seed(1))
    (plain_grad,) = torch.autograd.grad(plain, m)
    torch.testing.assert_close(fast, plain, atol=1e-5, rtol=0)
    torch.testing.assert_close(fast_grad, plain_grad, atol=1e-5, rtol=0)
    assert fast.dtype == m.dtype


def test_relationship_preserving_loss_checks_shapes() -> None:
    with pytest.raises(ValueError, match="target index map"):
        relationship_preserving_loss(torch.rand(1, 2, 4, 4).softmax(1), torch.zeros(1, 4, 5, dtype=torch.long))


def test_sample_count_and_without_replacement() -> None:
    """N = int(0.3·H·W) per image (307 of 1024 at 32×32), distinct positions."""
    g = torch.Generator().manual_seed(0)
    idx = sample_pixels(3, 32 * 32, 0.3, torch.device("cpu"), g)
    assert idx.shape == (3, 307)
    for row in idx:
        assert len(row.unique()) == 307 and 0 <= int(row.min()) and int(row.max()) < 1024
    assert not torch.equal(idx[0], idx[1])  # drawn per image
    assert sample_pixels(1, 3, 0.3, torch.device("cpu")).shape == (1, 1)  # at least one pixel


def test_loss_samples_int_03_hw_pixels(monkeypatch) -> None:
    seen = []

    def spy(*args, **kwargs):
        idx = sample_pixels(*args, **kwargs)
        seen.append(idx.shape)
        return idx

    monkeypatch.setattr(losses, "sample_pixels", spy)
    m = torch.rand(2, 4, 32, 32).softmax(1)
    relationship_preserving_loss(m, torch.randint(0, 4, (2, 32, 32)))
    relationship_preserving_loss(m[..., :20, :30], torch.randint(0, 4, (2, 20, 30)))
    assert seen == [(2, 307), (2, int(0.3 * 600))]


def test_sampling_is_reproducible_with_a_seeded_generator() -> None:
    m = torch.rand(2, 4, 16, 16, generator=torch.Generator().manual_seed(1)).softmax(1)
    target = torch.randint(0, 4, (2, 16, 16), generator=torch.Generator().manual_seed(2))

    def loss(seed: int) -> torch.Tensor:
        return relationship_preserving_loss(m, target, 0.3, torch.Generator().manual_seed(seed))

    assert torch.equal(loss(7), loss(7))
    assert not torch.equal(loss(7), loss(8))
    cpu = torch.device("cpu")
    assert torch.equal(sample_pixels(2, 256, 0.3, cpu, torch.Generator().manual_seed(5)),
                       sample_pixels(2, 256, 0.3, cpu, torch.Generator().manual_seed(5)))


def test_relationship_preserving_loss_has_gradients() -> None:
    logits = torch.randn(1, 3, 4, 4, requires_grad=True)
    relationship_preserving_loss(logits.softmax(1), torch.randint(0, 3, (1, 4, 4)), 1.0).backward()
    assert torch.isfinite(logits.grad).all() and logits.grad.abs().sum() > 0


# ---------------------------------------------------------------- totals (Eq. 1, 13, 16)

def batch(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(4, 10, generator=g)
    labels = torch.randint(0, 10, (4,), generator=g)
    m = torch.rand(4, 4, 8, 8, generator=g).softmax(1)
    target = torch.randint(0, 4, (4, 8, 8), generator=g)
    return logits, labels, m, target


def test_colorcnn_loss_eq1() -> None:
    """Eq. 1 with R = R_color (Eq. 7): L = CE + γ R, γ = 1 by default."""
    logits, labels, m, _ = batch()
    terms = colorcnn_loss(logits, labels, m)
    assert set(terms) == {"task", "r_color", "total"}
    torch.testing.assert_close(terms["task"], F.cross_entropy(logits, labels))
    torch.testing.assert_close(terms["r_color"], r_color(m))
    torch.testing.assert_close(terms["total"], terms["task"] + terms["r_color"])
    half = colorcnn_loss(logits, labels, m, gamma=0.5)
    torch.testing.assert_close(half["total"], terms["task"] + 0.5 * terms["r_color"])


def test_colorcnn_plus_loss_paper_defaults() -> None:
    """Eq. 13 with Eq. 16: L = CE + λ L_RP + γ (R_color + α R_info + β R_conf), λ = 3, γ = α = β = 1, N = 0.3·H·W."""
    defaults = {k: p.default for k, p in inspect.signature(colorcnn_plus_loss).parameters.items()}
    assert (defaults["lam"], defaults["gamma"], defaults["alpha"], defaults["beta"]) == (3.0, 1.0, 1.0, 1.0)
    assert defaults["fraction"] == 0.3 and defaults["rp_factor"] == 1.0 and defaults["entropy_reduction"] == "sum"
    logits, labels, m, target = batch()
    terms = colorcnn_plus_loss(logits, labels, m, target, generator=torch.Generator().manual_seed(0))
    assert set(terms) == {"task", "rp", "r_color", "r_info", "r_conf", "total"}
    torch.testing.assert_close(terms["task"], F.cross_entropy(logits, labels))
    torch.testing.assert_close(terms["rp"], relationship_preserving_loss(m, target, 0.3,
                                                                         torch.Generator().manual_seed(0)))
    torch.testing.assert_close(terms["r_color"], r_color(m))
    torch.testing.assert_close(terms["r_info"], r_info(m))
    torch.testing.assert_close(terms["r_conf"], r_conf(m))
    expected = terms["task"] + 3 * terms["rp"] + (terms["r_color"] + terms["r_info"] + terms["r_conf"])
    torch.testing.assert_close(terms["total"], expected)


def test_colorcnn_plus_loss_weights() -> None:
    logits, labels, m, target = batch(1)
    t = colorcnn_plus_loss(logits, labels, m, target, lam=2.0, gamma=0.5, alpha=0.25, beta=4.0, rp_factor=0.5)
    expected = t["task"] + 2.0 * 0.5 * t["rp"] + 0.5 * (t["r_color"] + 0.25 * t["r_info"] + 4.0 * t["r_conf"])
    torch.testing.assert_close(t["total"], expected)
    gated = colorcnn_plus_loss(logits, labels, m, target, rp_factor=0.0)  # a gate's 0: L_RP is not computed
    assert gated["rp"].item() == 0.0
    torch.testing.assert_close(gated["total"], t["task"] + t["r_color"] + t["r_info"] + t["r_conf"])
    mean = colorcnn_plus_loss(logits, labels, m, target, lam=0.0, entropy_reduction="mean")
    torch.testing.assert_close(mean["r_info"], r_info(m, "mean"))
    torch.testing.assert_close(mean["r_conf"], r_conf(m, "mean"))
    no_rp = colorcnn_plus_loss(logits, labels, m, None, lam=0.0)  # no imitation target needed without L_RP
    assert no_rp["rp"].item() == 0.0
    torch.testing.assert_close(no_rp["total"], no_rp["task"] + no_rp["r_color"] + no_rp["r_info"] + no_rp["r_conf"])


# ---------------------------------------------------------------- task losses: KD, multi-label

def test_distillation_by_hand() -> None:
    """KL(softmax(teacher) ‖ softmax(student)): teacher (0, 0) → q = (½, ½), student (ln 3, 0) → p = (¾, ¼):
    ½ ln(½/¾) + ½ ln(½/¼) = ½ ln(4/3)."""
    student = torch.tensor([[math.log(3), 0.0]])
    teacher = torch.zeros(1, 2)
    torch.testing.assert_close(distillation_loss(student, teacher), torch.tensor(0.5 * math.log(4 / 3)))
    # temperature: logits divided by T, loss multiplied by T²
    torch.testing.assert_close(distillation_loss(2 * student, teacher, temperature=2.0),
                               torch.tensor(4 * 0.5 * math.log(4 / 3)))


def test_distillation_zero_iff_student_equals_teacher() -> None:
    logits, labels, m, _ = batch()
    assert distillation_loss(logits, logits).item() == pytest.approx(0.0, abs=1e-6)
    assert distillation_loss(logits + 5.0, logits).item() == pytest.approx(0.0, abs=1e-6)  # softmax shift
    assert distillation_loss(logits.flip(1), logits).item() > 1e-3
    torch.testing.assert_close(task_loss(logits, labels, teacher_logits=logits.flip(1)),
                               distillation_loss(logits, logits.flip(1)))
    kd = colorcnn_loss(logits, labels, m, teacher_logits=logits)  # KD replaces CE
    assert kd["task"].item() == pytest.approx(0.0, abs=1e-6)


def test_multilabel_bce() -> None:
    """Multi-label: BCE with logits per label; logits 0 give ln 2 for every label."""
    labels = torch.tensor([[1, 0, 1], [0, 0, 1]])
    zero = torch.zeros(2, 3)
    torch.testing.assert_close(task_loss(zero, labels, multilabel=True), torch.tensor(math.log(2)))
    logits = torch.tensor([[2.0, -1.0, 0.5], [-3.0, 1.0, 0.0]])
    p = torch.sigmoid(logits)
    y = labels.float()
    by_hand = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    torch.testing.assert_close(task_loss(logits, labels, multilabel=True), by_hand)
    # KD for multi-label: BCE against the teacher's sigmoid outputs
    teacher = torch.tensor([[1.0, 1.0, -1.0], [0.0, 2.0, -2.0]])
    torch.testing.assert_close(task_loss(logits, labels, teacher_logits=teacher, multilabel=True),
                               F.binary_cross_entropy_with_logits(logits, torch.sigmoid(teacher)))
    m = torch.rand(2, 2, 4, 4).softmax(1)
    terms = colorcnn_loss(logits, labels, m, multilabel=True)
    torch.testing.assert_close(terms["task"], by_hand)
    plus = colorcnn_plus_loss(logits, labels, m, torch.randint(0, 2, (2, 4, 4)), multilabel=True)
    torch.testing.assert_close(plus["task"], by_hand)
