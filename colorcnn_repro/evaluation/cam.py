"""Class activation maps (Fig. 1): where the classifier looks in original and colour-quantized images, and
how confident it is of the ground-truth class.

Grad-CAM (Selvaraju et al.) on the feature map that feeds the classifier's global pooling (``pool``):
AlexNet's and VGG16's ``features``, ResNet18's ``layers``. For these GAP + linear classifiers Grad-CAM on
that map equals the CAM of Zhou et al. [2] used by the paper, up to a positive per-image factor (the
gradient of a class score w.r.t. the pooled map is the class's linear weight / (h·w)).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..models import NormalizedClassifier
from ..quantizers import Quantizer, quantizers_for

GLOBAL_POOLS = (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)


def global_pool(model: nn.Module) -> nn.Module:
    """The global pooling module of a classifier body: its ``pool`` attribute, else its last adaptive pool."""
    body = getattr(model, "body", model)
    pool = getattr(body, "pool", None)
    if isinstance(pool, nn.Module):
        return pool
    pools = [m for m in body.modules() if isinstance(m, GLOBAL_POOLS)]
    if not pools:
        raise ValueError(f"{type(body).__name__} has no global pooling module; pass the layer to hook")
    return pools[-1]


def feature_map_shape(clf: nn.Module, height: int, width: int) -> tuple[int, int, int]:
    """(channels, height, width) of the feature map that feeds ``clf``'s global pooling, the map Grad-CAM works
    on, for ``height``×``width`` inputs: how coarse the CAMs are."""
    shape: dict[str, tuple[int, ...]] = {}
    handle = global_pool(clf).register_forward_pre_hook(lambda m, inp: shape.update(a=tuple(inp[0].shape)))
    try:
        with torch.no_grad():
            clf(torch.zeros(1, 3, height, width, device=next(clf.parameters()).device))
    finally:
        handle.remove()
    return shape["a"][1], shape["a"][2], shape["a"][3]


def grad_cam(clf: nn.Module, x: torch.Tensor, target: torch.Tensor, layer: nn.Module | None = None,
             normalize: bool = True, multilabel: bool | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Grad-CAM of class ``target`` (B,) for a batch of [0, 1] images ``x`` (B×3×H×W).

    ``layer``: hook this module's output; default: the input of the global pooling (see
    :func:`global_pool`). Returns ``(cam, confidence, logits)``: cam B×H×W ≥ 0 upsampled (bilinear) to the
    input size — each map divided by its maximum when ``normalize`` (all-zero maps stay zero) —, the
    target-class probability (softmax; sigmoid for multi-label) and the logits."""
    multilabel = getattr(clf, "multilabel", False) if multilabel is None else multilabel
    captured: dict[str, torch.Tensor] = {}
    if layer is None:
        handle = global_pool(clf).register_forward_pre_hook(lambda m, inp: captured.__setitem__("a", inp[0]))
    else:
        handle = layer.register_forward_hook(lambda m, inp, out: captured.__setitem__("a", out))
    was_training = clf.training
    clf.eval()
    try:
        with torch.enable_grad():
            xg = x.detach().requires_grad_(True)  # so that a frozen classifier still builds a graph
            logits = clf(xg)
            act = captured["a"]
            if act.ndim != 4:
                raise ValueError(f"hooked feature map must be B×K×h×w, got shape {tuple(act.shape)}")
            target = target.to(logits.device).long()
            chosen = logits.gather(1, target[:, None]).sum()
            (grad,) = torch.autograd.grad(chosen, act)
    finally:
        handle.remove()
        clf.train(was_training)
    weights = grad.mean(dim=(2, 3), keepdim=True)
    cam = (weights * act.detach()).sum(dim=1, keepdim=True).relu()
    cam = F.interpolate(cam, size=x.shape[-2:], mode="bilinear", align_corners=False)[:, 0].clamp_min(0)
    if normalize:
        peak = cam.flatten(1).amax(dim=1).view(-1, 1, 1)
        cam = torch.where(peak > 0, cam / peak.clamp_min(1e-12), torch.zeros_like(cam))
    logits = logits.detach()
    probs = logits.sigmoid() if multilabel else logits.softmax(dim=1)
    return cam, probs.gather(1, target[:, None])[:, 0], logits


def target_classes(labels: np.ndarray, scores: np.ndarray | None = None) -> np.ndarray:
    """Class whose map is drawn: the label; for multi-label, the best-scored positive label (else the first)."""
    labels = np.asarray(labels)
    if labels.ndim == 1:
        return labels.astype(np.int64)
    weights = labels.astype(np.float64) * (1.0 if scores is None else 1.0 + scores)
    return weights.argmax(axis=1).astype(np.int64)


def cam_batch(clf: NormalizedClassifier, images: np.ndarray, target: np.ndarray, batch_size: int = 100,
              layer: nn.Module | None = None) -> dict[str, np.ndarray]:
    """Grad-CAM of N×H×W×3 uint8 images: ``{"images", "cam" (N×H×W float32 in [0, 1]), "confidence" (N,),
    "prediction" (N,)}``."""
    dev = next(clf.parameters()).device
    cams, conf, pred = [], [], []
    for s in range(0, len(images), batch_size):
        x = torch.from_numpy(images[s:s + batch_size]).to(dev).permute(0, 3, 1, 2).float() / 255
        c, p, logits = grad_cam(clf, x, torch.from_numpy(target[s:s + batch_size]), layer)
        cams.append(c.cpu().numpy().astype(np.float32))
        conf.append(p.cpu().numpy())
        pred.append(logits.argmax(1).cpu().numpy())
    return {"images": images, "cam": np.concatenate(cams), "confidence": np.concatenate(conf),
            "prediction": np.concatenate(pred)}


def cam_agreement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-image Pearson correlation of two N×H×W stacks of maps (0 where either map is constant)."""
    a = a.reshape(len(a), -1).astype(np.float64)
    b = b.reshape(len(b), -1).astype(np.float64)
    a = a - a.mean(1, keepdims=True)
    b = b - b.mean(1, keepdims=True)
    den = np.sqrt((a * a).sum(1) * (b * b).sum(1))
    return np.where(den > 0, (a * b).sum(1) / np.where(den > 0, den, 1), 0.0)


def cam_panels(clf: NormalizedClassifier, images: np.ndarray, labels: np.ndarray,
               methods: tuple[str, ...] = ("mediancut", "colorcnn+"), bits: tuple[int, ...] = (1, 2, 4),
               learned: Mapping[str, Quantizer] | None = None, batch_size: int = 100,
               layer: nn.Module | None = None) -> dict:
    """Fig. 1: original and quantized images (every method at 2**bits colours), their Grad-CAMs for the
    ground-truth class and the classifier's confidence in it.

    Returns ``{"target": (N,), "original": panel, "methods": {method: {str(bits): panel}}}`` with each panel
    as in :func:`cam_batch`, plus ``"agreement"`` (Pearson correlation with the original's CAM) for the
    quantized ones. ``learned`` gives the learned methods' quantizers."""
    quantizers = quantizers_for(methods, learned)
    clf.eval()
    target = target_classes(labels)
    original = cam_batch(clf, images, target, batch_size, layer)
    per_method: dict[str, dict[str, dict]] = {m: {} for m in methods}
    for m in methods:
        for b in bits:
            quantized = quantizers[m].quantize_set(images, 2**b).rgb()
            panel = cam_batch(clf, quantized, target, batch_size, layer)
            panel["agreement"] = cam_agreement(panel["cam"], original["cam"])
            per_method[m][str(b)] = panel
    return {"target": target, "original": original, "methods": per_method}
