"""Losses of ColorCNN (Eq. 1, 7) and ColorCNN+ (Eq. 10–16). Each returns a scalar (batch mean);
:func:`colorcnn_loss` and :func:`colorcnn_plus_loss` return ``{term: value, ..., "total": value}``."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .config import ENTROPY_REDUCTIONS, RP_SCHEDULES
from .models.colorcnn import using_reference_ops
from .parallel import per_image

#: The named terms of an objective, each a scalar tensor, with their weighted sum under ``"total"``.
LossTerms = dict[str, torch.Tensor]

LOG_EPS = 1e-16


def entropy(p: torch.Tensor, dim: int) -> torch.Tensor:
    """Shannon entropy (nats) of distributions along ``dim``."""
    return -(p * torch.log(p + LOG_EPS)).sum(dim=dim)


def r_color(m: torch.Tensor) -> torch.Tensor:
    """Colour appearance regularization (Eq. 7): −(1/C) Σ_c max_{u,v} m_c, averaged over the batch."""
    return -m.flatten(2).amax(dim=2).mean(dim=1).mean()


def _over_colors(h: torch.Tensor, colors: int, reduction: str) -> torch.Tensor:
    """An entropy summed over the colour axis as it is (``sum``), or divided by C (``mean``)."""
    if reduction not in ENTROPY_REDUCTIONS:
        raise ValueError(f"unknown entropy reduction {reduction!r}; accepted: {', '.join(ENTROPY_REDUCTIONS)}")
    return h / colors if reduction == "mean" else h


def r_info(m: torch.Tensor, reduction: str = "sum") -> torch.Tensor:
    """Information entropy regularization (Eq. 14): −H(mean_{u,v} m), averaged over the batch; ``mean``: the
    entropy's terms averaged over the C colours instead of summed (the authors' code)."""
    return -_over_colors(entropy(m.mean(dim=(2, 3)), dim=1), m.shape[1], reduction).mean()


def r_conf(m: torch.Tensor, reduction: str = "sum") -> torch.Tensor:
    """Confidence regularization (Eq. 15): mean over pixels of H(m_{u,v}), averaged over the batch; ``mean`` as
    in :func:`r_info`."""
    return _over_colors(entropy(m, dim=1), m.shape[1], reduction).mean()


def rp_weight(schedule: str, colors: int) -> float:
    """The factor on λ·L_RP at C = ``colors`` (Eq. 13 has none: ``constant``, 1). The authors' code: ``gate``,
    0 at C ≤ 8 and 1 above; ``sigmoid``, sigmoid(log2 C − 4)."""
    if schedule == "constant":
        return 1.0
    if schedule == "gate":
        return 0.0 if colors <= 8 else 1.0
    if schedule == "sigmoid":
        return 1 / (1 + math.exp(-(math.log2(colors) - 4)))
    raise ValueError(f"unknown L_RP schedule {schedule!r}; accepted: {', '.join(RP_SCHEDULES)}")


def sample_pixels(batch: int, pixels: int, fraction: float, device: torch.device,
                  generator: torch.Generator | None = None) -> torch.Tensor:
    """B×N pixel positions drawn without replacement per image, N = int(fraction · H·W) (per image, so that a
    batch sharded over processes draws what the whole batch draws: :func:`~colorcnn_repro.parallel.per_image`)."""
    n = max(1, int(pixels * fraction))
    return per_image(torch.rand, batch, pixels, device=device, generator=generator).argsort(dim=1)[:, :n]


def normalized_relationship(f: torch.Tensor) -> torch.Tensor:
    """B×C×N assignments → row-normalized pixel self-correlation Ã (Eq. 10–11), B×N×N."""
    a = torch.bmm(f.transpose(1, 2), f)
    return a / a.norm(dim=2, keepdim=True).clamp_min(1e-12)


def _rp_by_matrices(f: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Per-image ‖Ã − Ã*‖²_F as Eq. 10–12 write it, with the B×N×N matrices (the reference form)."""
    # the one-hot target's self-correlation A*_ij = [t_i = t_j], made without the one-hot map
    same = (t.unsqueeze(2) == t.unsqueeze(1)).to(f.dtype)
    diff = normalized_relationship(f) - same / same.norm(dim=2, keepdim=True).clamp_min(1e-12)
    return diff.pow(2).sum(dim=(1, 2))


def dense_labels(t: torch.Tensor) -> torch.Tensor:
    """B×N labels (any integers) → the same partition of each row as labels 0..K−1 (K ≤ N), by sorting: no
    device-to-host sync, no N×N comparison."""
    sorted_t, order = t.sort(dim=1)
    ranks = torch.zeros_like(t)
    ranks[:, 1:] = (sorted_t[:, 1:] != sorted_t[:, :-1]).long().cumsum(dim=1)
    return torch.empty_like(t).scatter_(1, order, ranks)


def _rp_by_clusters(f: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Per-image ‖Ã − Ã*‖²_F without the N×N matrices, in float64 (the fast form, O(N·C²) per image).

    Row i of the difference has squared norm ‖ã_i‖² + ‖ã*_i‖² − 2 ã_i·ã*_i, where, with f_i the C-vector of
    pixel i, G = Σ_j f_j f_jᵀ, and s_k = Σ_{j: t_j = k} f_j over the n_k pixels of target cluster k:
    ‖a_i‖² = f_iᵀ G f_i, ‖a*_i‖² = n_{t_i}, and a_i·a*_i = f_i·s_{t_i}."""
    f = f.double().transpose(1, 2)  # B×N×C
    labels = dense_labels(t)
    sums = torch.zeros_like(f).scatter_add_(1, labels.unsqueeze(2).expand_as(f), f)
    counts = torch.zeros_like(f[..., 0]).scatter_add_(1, labels, torch.ones_like(f[..., 0]))
    s_i = sums.gather(1, labels.unsqueeze(2).expand_as(f))
    n_i = counts.gather(1, labels)
    gram = torch.bmm(f.transpose(1, 2), f)  # B×C×C
    q = (torch.bmm(f, gram) * f).sum(dim=2)  # ‖a_i‖², B×N
    norm_a = q.sqrt().clamp_min(1e-12)
    rows = q / norm_a**2 + 1 - 2 * (f * s_i).sum(dim=2) / (norm_a * n_i.sqrt())
    return rows.sum(dim=1)


def relationship_preserving_loss(m: torch.Tensor, target_index: torch.Tensor, fraction: float = 0.3,
                                 generator: torch.Generator | None = None) -> torch.Tensor:
    """L_RP (Eq. 10–12): (1/N)‖Ã − Ã*‖²_F between the soft map m (B×C×H×W) and the one-hot imitation
    target (B×H×W indices, e.g. MedianCut) on N = fraction·H·W pixels sampled per image. Invariant to any
    permutation of the target's cluster indices.

    Computed per target cluster (:func:`_rp_by_clusters`), which gives the matrices' value (≤ 1e-6) at a
    fraction of their cost; within :func:`~colorcnn_repro.models.colorcnn.reference_ops` by the B×N×N
    matrices as the paper writes them."""
    b, c, h, w = m.shape
    if target_index.shape != (b, h, w):
        raise ValueError(f"target index map must be {(b, h, w)}, got {tuple(target_index.shape)}")
    idx = sample_pixels(b, h * w, fraction, m.device, generator)
    n = idx.shape[1]
    f = m.flatten(2).gather(2, idx.unsqueeze(1).expand(b, c, n))
    t = target_index.flatten(1).gather(1, idx)
    per_image = _rp_by_matrices(f, t) if using_reference_ops() else _rp_by_clusters(f, t).to(m.dtype)
    return (per_image / n).mean()


def distillation_loss(student: torch.Tensor, teacher: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Knowledge distillation (Sec. 4.5.2): KL(softmax(teacher/T) ‖ softmax(student/T))·T², batch mean."""
    log_p = F.log_softmax(student / temperature, dim=1)
    q = F.softmax(teacher / temperature, dim=1)
    return F.kl_div(log_p, q, reduction="batchmean") * temperature**2


def task_loss(logits: torch.Tensor, labels: torch.Tensor, teacher_logits: torch.Tensor | None = None,
              multilabel: bool = False) -> torch.Tensor:
    """Cross-entropy (BCE for multi-label), or KD against ``teacher_logits`` when given."""
    if teacher_logits is not None:
        if multilabel:
            return F.binary_cross_entropy_with_logits(logits, torch.sigmoid(teacher_logits))
        return distillation_loss(logits, teacher_logits)
    if multilabel:
        return F.binary_cross_entropy_with_logits(logits, labels.float())
    return F.cross_entropy(logits, labels)


def colorcnn_loss(logits: torch.Tensor, labels: torch.Tensor, m: torch.Tensor, *, gamma: float = 1.0,
                  teacher_logits: torch.Tensor | None = None, multilabel: bool = False) -> LossTerms:
    """ColorCNN objective (Eq. 1 with R = R_color, Eq. 7)."""
    terms = {"task": task_loss(logits, labels, teacher_logits, multilabel), "r_color": r_color(m)}
    terms["total"] = terms["task"] + gamma * terms["r_color"]
    return terms


def colorcnn_plus_loss(logits: torch.Tensor, labels: torch.Tensor, m: torch.Tensor, target_index: torch.Tensor | None,
                       *, lam: float = 3.0, gamma: float = 1.0, alpha: float = 1.0, beta: float = 1.0,
                       fraction: float = 0.3, rp_factor: float = 1.0, entropy_reduction: str = "sum",
                       teacher_logits: torch.Tensor | None = None, multilabel: bool = False,
                       generator: torch.Generator | None = None) -> LossTerms:
    """ColorCNN+ objective (Eq. 13 with R from Eq. 16). ``rp_factor`` multiplies λ·L_RP (:func:`rp_weight`;
    the paper: 1); where λ·``rp_factor`` is 0, L_RP is not computed and reads 0. ``entropy_reduction``: see
    :func:`r_info`."""
    if lam and rp_factor and target_index is None:
        raise ValueError("colorcnn_plus_loss: lam > 0 needs an imitation target (target_index)")
    terms = {
        "task": task_loss(logits, labels, teacher_logits, multilabel),
        "rp": (relationship_preserving_loss(m, target_index, fraction, generator)
               if lam * rp_factor and target_index is not None else m.new_zeros(())),
        "r_color": r_color(m),
        "r_info": r_info(m, entropy_reduction),
        "r_conf": r_conf(m, entropy_reduction),
    }
    reg = terms["r_color"] + alpha * terms["r_info"] + beta * terms["r_conf"]
    terms["total"] = terms["task"] + lam * rp_factor * terms["rp"] + gamma * reg
    return terms


__all__ = ["LossTerms", "entropy", "r_color", "r_info", "r_conf", "rp_weight", "relationship_preserving_loss",
           "distillation_loss", "task_loss", "colorcnn_loss", "colorcnn_plus_loss"]
