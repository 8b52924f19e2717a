"""Colour quantization as an adversarial defense (Sec. 4.4: "ColorCNNs, as lossy image compression
methods, can also help defend against adversarial attacks"; JPEG as the reference defense, Das et al. [59]).

L∞ attacks written with torch only, batched, on [0, 1] images (clamped to [0, 1]); ε and the PGD step size
are given in /255 units (ε = 8 means 8/255). Two threat models:

``attack_then_quantize``
    the attacker knows the classifier only: FGSM / PGD against ``clf``; the adversarial image (stored as
    8-bit) is then quantized by MedianCut / ColorCNN / ColorCNN+ or JPEG-compressed and classified.
``attack_pipeline``
    the attacker knows the whole quantize-then-classify pipeline. ColorCNN / ColorCNN+ are attacked through
    their differentiable train-time path: the forward pass uses the real hard quantization and the backward
    pass the gradient of the soft output ``net(x, C, hard=False).image`` (straight-through, BPDA-style;
    ``surrogate="soft"`` uses the soft output forward too). Non-differentiable MedianCut and JPEG are
    attacked with BPDA's identity approximation (forward: real quantization; backward: identity), so that
    every defense faces an adaptive attacker. Every adversarial image is evaluated through the real test-time
    path (each quantizer's ``quantize_set``, :func:`~colorcnn_repro.quantized.jpeg_bpp`, :func:`~.grid.predict`).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .. import progress as progress_bars
from ..data import ImageArrays
from ..models import ColorQuantizerNet, NormalizedClassifier
from ..models.colorcnn import one_hot_map, paint, weighted_palette
from ..quantized import jpeg_bpp
from ..quantizers import Quantizer, quantizers_for
from ..quantizers.learned import LearnedQuantizer
from .grid import predict, score

ATTACKS = ("fgsm", "pgd")
THREAT_MODELS = ("attack_then_quantize", "attack_pipeline")
LogitsFn = Callable[[torch.Tensor], torch.Tensor]


# ---------------------------------------------------------------- attacks

def adversarial_loss(logits: torch.Tensor, labels: torch.Tensor, multilabel: bool = False) -> torch.Tensor:
    """Summed cross-entropy (BCE for multi-label): the loss the attacker ascends. Summed, not averaged, so
    that the per-image gradient does not shrink with the batch size (the sign step ignores the scale)."""
    if multilabel:
        return F.binary_cross_entropy_with_logits(logits, labels.float(), reduction="sum")
    return F.cross_entropy(logits, labels, reduction="sum")


def _input_grad(fn: LogitsFn, x: torch.Tensor, labels: torch.Tensor, multilabel: bool) -> torch.Tensor:
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        (grad,) = torch.autograd.grad(adversarial_loss(fn(x), labels, multilabel), x)
    return grad


def fgsm(fn: LogitsFn, x: torch.Tensor, labels: torch.Tensor, eps: float, multilabel: bool = False) -> torch.Tensor:
    """Fast gradient sign method: x + ε·sign(∇ₓ loss), clamped to [0, 1]. ``eps`` in /255 units."""
    if eps < 0:
        raise ValueError(f"eps must be >= 0, got {eps}")
    x = x.detach()
    grad = _input_grad(fn, x, labels, multilabel)
    return (x + eps / 255 * grad.sign()).clamp(0, 1)


def pgd(fn: LogitsFn, x: torch.Tensor, labels: torch.Tensor, eps: float, *, step: float | None = None,
        steps: int = 10, random_start: bool = True, generator: torch.Generator | None = None,
        multilabel: bool = False) -> torch.Tensor:
    """Projected gradient descent (Madry et al.), L∞: ``steps`` sign steps of size ``step`` (/255 units;
    default 2.5·ε/steps), each followed by projection onto the ε-ball around ``x`` and onto [0, 1].
    ``random_start`` begins at a uniform point of the ε-ball (drawn on the CPU from ``generator``)."""
    if eps < 0:
        raise ValueError(f"eps must be >= 0, got {eps}")
    if steps < 1:
        raise ValueError(f"PGD needs steps >= 1, got {steps}")
    e = eps / 255
    a = (2.5 * eps / steps if step is None else step) / 255
    x0 = x.detach()
    lo, hi = (x0 - e).clamp(0, 1), (x0 + e).clamp(0, 1)
    if random_start and e > 0:
        noise = torch.rand(x0.shape, generator=generator, dtype=torch.float32).to(x0)
        xa = (x0 + (2 * noise - 1) * e).clamp(0, 1)
    else:
        xa = x0.clone()
    for _ in range(steps):
        grad = _input_grad(fn, xa, labels, multilabel)
        xa = torch.max(torch.min(xa + a * grad.sign(), hi), lo)
    return xa.detach()


def run_attack(fn: LogitsFn, images: np.ndarray, labels: np.ndarray, attack: str, eps: float, *,
               device: torch.device, batch_size: int = 100, pgd_steps: int = 10, pgd_step: float | None = None,
               random_start: bool = True, multilabel: bool = False, seed: int = 0) -> np.ndarray:
    """Attack N×H×W×3 uint8 images in batches; returns the adversarial images as 8-bit (rounded, which keeps
    them inside the ε-ball for integer ε since the originals lie on the 8-bit grid)."""
    if attack not in ATTACKS:
        raise ValueError(f"unknown attack {attack!r}; accepted: {', '.join(ATTACKS)}")
    g = torch.Generator().manual_seed(seed)
    out = []
    for s in range(0, len(images), batch_size):
        x = torch.from_numpy(images[s:s + batch_size]).to(device).permute(0, 3, 1, 2).float() / 255
        y = torch.from_numpy(labels[s:s + batch_size]).to(device)
        if attack == "fgsm":
            xa = fgsm(fn, x, y, eps, multilabel)
        else:
            xa = pgd(fn, x, y, eps, step=pgd_step, steps=pgd_steps, random_start=random_start, generator=g,
                     multilabel=multilabel)
        out.append((xa * 255).round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy())
    return np.concatenate(out)


# ---------------------------------------------------------------- pipelines (what the attacker differentiates)

def through_net(clf: NormalizedClassifier, net: ColorQuantizerNet, colors: int,
                surrogate: str = "straight_through") -> LogitsFn:
    """Logits of quantize-then-classify with a learned net, differentiable through its soft (train-time)
    output. ``straight_through``: forward value = hard quantization, gradient = d soft / dx (BPDA);
    ``soft``: the soft output forward and backward."""
    if surrogate not in ("straight_through", "soft"):
        raise ValueError(f"surrogate must be 'straight_through' or 'soft', got {surrogate!r}")

    def fn(x: torch.Tensor) -> torch.Tensor:
        out = net(x, colors, hard=False)
        if surrogate == "soft":
            return clf(out.image)
        with torch.no_grad():  # the hard output from the same probability map (as net(x, C, hard=True))
            m = out.prob.detach()
            onehot = one_hot_map(m.argmax(dim=1), colors, x.dtype)
            hard = paint(onehot, weighted_palette(x.detach(), m if net.palette_from_soft else onehot))
        return clf(out.image + (hard - out.image).detach())

    return fn


class _IdentityBackward(torch.autograd.Function):
    """BPDA with the identity: forward applies a non-differentiable transform, backward passes the gradient."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, transform: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
        return transform(x.detach())

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return grad, None


def through_transform(clf: NormalizedClassifier, transform: Callable[[np.ndarray], np.ndarray]) -> LogitsFn:
    """Logits of ``clf(transform(x))`` for a uint8 N×H×W×3 → N×H×W×3 ``transform`` (MedianCut, JPEG),
    with the identity as its backward pass."""

    def apply(x: torch.Tensor) -> torch.Tensor:
        u8 = (x * 255).round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
        return torch.from_numpy(transform(u8)).to(x.device).permute(0, 3, 1, 2).float() / 255

    return lambda x: clf(_IdentityBackward.apply(x, apply))


# ---------------------------------------------------------------- defenses (the real test-time path)

def jpeg_images(images: np.ndarray, quality: int) -> np.ndarray:
    return np.stack([jpeg_bpp(img, quality)[0] for img in images])


def apply_defense(images: np.ndarray, method: str, param: int | None,
                  quantizers: Mapping[str, Quantizer]) -> np.ndarray:
    """The defended image, uint8: ``none``; ``jpeg`` at quality ``param``; ``quantizers[method]`` at ``param``
    colours (hard test-time quantization)."""
    if method == "none":
        return images
    assert param is not None  # a quality or a colour count for every defense but "none"
    if method == "jpeg":
        return jpeg_images(images, param)
    return quantizers[method].quantize_set(images, param).rgb()


def _accuracy(clf: NormalizedClassifier, images: np.ndarray, data: ImageArrays, batch_size: int) -> float:
    return score(predict(clf, images, batch_size), data)[1]["accuracy"]


def adversarial_defense(clf: NormalizedClassifier, data: ImageArrays,
                        learned: Mapping[str, LearnedQuantizer] | None,
                        eps_list: tuple[float, ...] = (1, 2, 4, 8), colors: tuple[int, ...] = (2, 8, 64),
                        attacks: tuple[str, ...] = ("fgsm", "pgd"),
                        methods: tuple[str, ...] = ("mediancut", "colorcnn", "colorcnn+"),
                        jpeg_qualities: tuple[int, ...] = (10, 50, 90),
                        threat_models: tuple[str, ...] = THREAT_MODELS, pgd_steps: int = 10,
                        pgd_step: float | None = None, random_start: bool = True,
                        surrogate: str = "straight_through", bpda_classical: bool = True,
                        batch_size: int = 100, seed: int = 0, progress: bool = True) -> dict:
    """Accuracy of ``clf`` on ``data`` under FGSM/PGD at every ε (/255), for each defense: none, every
    quantizer in ``methods`` at every colour count in ``colors`` (``learned`` serves the learned ones), JPEG at
    every quality.

    Returns ``{"clean": {defense}, "attack_then_quantize": {attack: {ε: {defense}}}, "attack_pipeline":
    {attack: {ε: {defense}}}, "linf": {threat model: {attack: {ε: max |δ|·255}}}}`` where ``{defense}`` is
    ``{"none": acc, method: {str(C): acc}, "jpeg": {str(quality): acc}}``. Under ``attack_pipeline`` the
    attack is recomputed against each defended pipeline (``none`` equals ``attack_then_quantize``'s; classical
    methods and JPEG only when ``bpda_classical``).
    """
    learned = learned or {}
    quantizers = quantizers_for(methods, learned)
    bad = [t for t in threat_models if t not in THREAT_MODELS]
    if bad:
        raise ValueError(f"unknown threat model(s) {bad}; accepted: {', '.join(THREAT_MODELS)}")
    for m in learned.keys() & set(methods):
        for c in colors:
            learned[m].net_for(c)  # a missing network fails now, before any attack
    clf.eval()
    dev = next(clf.parameters()).device
    defenses: list[tuple[str, int | None]] = [("none", None)]
    defenses += [(m, c) for m in methods for c in colors]
    defenses += [("jpeg", q) for q in jpeg_qualities]
    kw: dict[str, Any] = dict(device=dev, batch_size=batch_size, pgd_steps=pgd_steps, pgd_step=pgd_step,
                              random_start=random_start, multilabel=data.multilabel, seed=seed)

    def record(table: dict, method: str, param: int | None, acc: float) -> None:
        if method == "none":
            table["none"] = acc
        else:
            table.setdefault(method, {})[str(param)] = acc

    def evaluate(images: np.ndarray, which: list[tuple[str, int | None]]) -> dict:
        table: dict = {}
        for m, p in which:
            record(table, m, p, _accuracy(clf, apply_defense(images, m, p, quantizers), data, batch_size))
        return table

    def linf(adv: np.ndarray) -> float:
        return float(np.abs(adv.astype(np.int16) - data.images.astype(np.int16)).max())

    out: dict = {"clean": evaluate(data.images, defenses)}
    jobs = [(a, e) for a in attacks for e in eps_list]
    bar = progress_bars.bar(total=len(jobs) * len(threat_models), show=progress, desc="adversarial", leave=False)
    lim: dict[str, dict[str, float]]  # max |δ|·255 per attack and ε
    if "attack_then_quantize" in threat_models:
        out["attack_then_quantize"], lim = {}, {}
        for a, e in jobs:
            adv = run_attack(clf, data.images, data.labels, a, e, **kw)
            out["attack_then_quantize"].setdefault(a, {})[str(e)] = evaluate(adv, defenses)
            lim.setdefault(a, {})[str(e)] = linf(adv)
            bar.update()
        out.setdefault("linf", {})["attack_then_quantize"] = lim
    if "attack_pipeline" in threat_models:
        out["attack_pipeline"], lim = {}, {}
        for a, e in jobs:
            table: dict = {}
            worst = 0.0
            fn: LogitsFn
            for m, p in defenses:
                if m == "none" and "attack_then_quantize" in out:  # the same attack: reuse it
                    table["none"] = out["attack_then_quantize"][a][str(e)]["none"]
                    continue
                if m == "none":
                    fn = clf
                elif m in learned:
                    assert p is not None
                    fn = through_net(clf, learned[m].net_for(p), p, surrogate)
                elif bpda_classical:
                    def transform(u8: np.ndarray, m: str = m, p: int | None = p) -> np.ndarray:
                        return apply_defense(u8, m, p, quantizers)

                    fn = through_transform(clf, transform)
                else:
                    continue
                adv = run_attack(fn, data.images, data.labels, a, e, **kw)
                record(table, m, p, _accuracy(clf, apply_defense(adv, m, p, quantizers), data, batch_size))
                worst = max(worst, linf(adv))
            out["attack_pipeline"].setdefault(a, {})[str(e)] = table
            lim.setdefault(a, {})[str(e)] = worst
            bar.update()
        out.setdefault("linf", {})["attack_pipeline"] = lim
    bar.close()
    return out
