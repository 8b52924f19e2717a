"""Training of the classifier, ColorCNN (one model per C) and ColorCNN+ against the frozen classifier."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..data import ImageArrays, load_dataset
from ..experiments.config import ClassifierConfig, ColorCNNConfig, ColorCNNPlusConfig, DataConfig
from ..losses import colorcnn_loss, colorcnn_plus_loss, task_loss
from ..models import (ColorCNN, ColorCNNPlus, ColorQuantizerNet, NormalizedClassifier, build_normalized_classifier,
                      normalization_stats, quantizer_checkpoint, quantizer_from_checkpoint)
from .augment import classifier_augment, post_quantization_augment, random_crop, random_flip
from .runs import atomic_save, fit, model_file, pick_device, run_dir, run_epoch
from .targets import imitation_targets


def load_split(data: DataConfig, split: str, root=None, limit: int | None = None) -> ImageArrays:
    """A split of ``data``'s dataset; the training split honours ``data.limit_train``."""
    limit = data.limit_train if split == "train" else limit
    return load_dataset(data.dataset, split, root, limit=limit, seed=data.seed)


def to_tensor(images: np.ndarray, device: torch.device) -> torch.Tensor:
    """N×H×W×3 uint8 → N×3×H×W uint8 tensor on ``device`` (converted to float per batch)."""
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous().to(device)


def as_float(x: torch.Tensor) -> torch.Tensor:
    return x.float().div_(255)


def sgd(model: nn.Module, lr: float, momentum: float, weight_decay: float, nesterov: bool = False):
    params = [p for p in model.parameters() if p.requires_grad]
    return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov)


def warm_restarts(opt, period_steps: int):
    """Cosine annealing with warm restarts, stepped per batch, minimum lr 0 (Sec. 4.1)."""
    return torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=max(1, period_steps), eta_min=0.0)


def descend(opt: torch.optim.Optimizer, sched, terms: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """One optimizer and scheduler step on ``terms["total"]``; the detached terms for logging."""
    opt.zero_grad(set_to_none=True)
    terms["total"].backward()
    opt.step()
    sched.step()
    return {k: v.detach() for k, v in terms.items()}


# ---------------------------------------------------------------- classifier

def train_classifier(cfg: ClassifierConfig, root=None, device: str | None = None) -> Path:
    """Train the classifier on original images (Sec. 4.1); returns the run directory (model.pt inside)."""
    run = run_dir("classifier", cfg)
    if (run / "model.pt").exists():
        return run
    dev = pick_device(device)
    train = load_split(cfg.data, "train", root)
    torch.manual_seed(cfg.seed)  # weight init depends on the config only, not on earlier RNG use
    model = build_normalized_classifier(cfg.classifier, len(train.classes), cfg.data.dataset, train.multilabel).to(dev)
    images, labels = to_tensor(train.images, dev), torch.from_numpy(train.labels).to(dev)
    opt = sgd(model, cfg.lr, cfg.momentum, cfg.weight_decay, cfg.nesterov)
    steps = math.ceil(len(train) / cfg.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=cfg.epochs * steps)

    def epoch_fn(epoch: int, g: torch.Generator) -> dict:
        model.train()

        def step(idx: torch.Tensor, b: int) -> dict:
            x = classifier_augment(as_float(images[idx.to(dev)]), g)
            return descend(opt, sched, {"total": task_loss(model(x), labels[idx.to(dev)], multilabel=model.multilabel)})

        return run_epoch(len(train), cfg.batch_size, g, step, f"classifier {cfg.classifier}")

    history = fit(run, {"model": model, "optimizer": opt, "scheduler": sched}, cfg.epochs, cfg.seed, epoch_fn,
                  "classifier")
    atomic_save({"kind": "classifier", "name": cfg.classifier, "num_classes": len(train.classes),
                 "dataset": cfg.data.dataset, "multilabel": train.multilabel,
                 "state_dict": model.state_dict(), "history": history}, run / "model.pt")
    return run


def classifier_from_checkpoint(ckpt: dict) -> NormalizedClassifier:
    if not isinstance(ckpt, dict) or ckpt.get("kind") != "classifier":
        raise ValueError(f"not a classifier checkpoint (kind={ckpt.get('kind') if isinstance(ckpt, dict) else None!r})")
    model = build_normalized_classifier(ckpt["name"], ckpt["num_classes"], ckpt["dataset"], ckpt["multilabel"])
    model.load_state_dict(ckpt["state_dict"])
    return model.eval()


def load_model_file(path: Path):
    if not path.exists():
        raise FileNotFoundError(f"no trained model at {path}; train it first (colorcnn train-…) or use the zoo")
    return torch.load(path, map_location="cpu", weights_only=False)


def frozen_classifier(cfg: ClassifierConfig, root=None, device: str | None = None, train: bool = True) -> NormalizedClassifier:
    """The trained classifier of ``cfg`` (run or zoo; trained first if neither has it and ``train``),
    frozen and in eval mode."""
    path = model_file("classifier", cfg)
    if path is None:
        path = (train_classifier(cfg, root, device) if train else run_dir("classifier", cfg)) / "model.pt"
    model = classifier_from_checkpoint(load_model_file(path)).to(pick_device(device))
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def classify_quantized(clf: NormalizedClassifier, x_soft: torch.Tensor, xi: float, color_norm: float,
                       g: torch.Generator) -> torch.Tensor:
    """Classifier logits on a train-time quantized batch: normalized, divided by ``color_norm`` and
    jittered with ξ·n, n ~ N(0, 1) drawn once per image (Sec. 3.3.2)."""
    z = clf.normalize(x_soft, color_norm)
    if xi:
        z = z + xi * torch.randn(z.shape[0], 1, 1, 1, generator=g).to(z)
    return clf.body(z)


# ---------------------------------------------------------------- quantizer training, shared

def against_frozen_classifier(cfg: ColorCNNConfig | ColorCNNPlusConfig, root=None, device: str | None = None):
    """``(device, frozen classifier, training split, its images and labels as tensors on the device)``:
    what training a quantizer starts from."""
    dev = pick_device(device)
    clf = frozen_classifier(cfg.classifier, root, device)
    train = load_split(cfg.classifier.data, "train", root)
    return dev, clf, train, to_tensor(train.images, dev), torch.from_numpy(train.labels).to(dev)


def sgd_with_restarts(model: nn.Module, cfg: ColorCNNConfig | ColorCNNPlusConfig, n_train: int):
    """``(optimizer, cosine warm-restart scheduler, steps per epoch)`` for a quantizer (Sec. 4.1)."""
    opt = sgd(model, cfg.lr, cfg.momentum, cfg.weight_decay)
    steps = math.ceil(n_train * cfg.train_fraction / cfg.batch_size)
    return opt, warm_restarts(opt, cfg.restart_epochs * steps), steps


# ---------------------------------------------------------------- ColorCNN

def train_colorcnn(cfg: ColorCNNConfig, root=None, device: str | None = None) -> Path:
    """Train one ColorCNN for ``cfg.colors`` (Sec. 3.3, 4.1) against the frozen classifier."""
    run = run_dir("colorcnn", cfg)
    if (run / "model.pt").exists():
        return run
    dev, clf, train, images, labels = against_frozen_classifier(cfg, root, device)
    mean, std = normalization_stats(cfg.classifier.data.dataset)
    torch.manual_seed(cfg.seed)  # weight init depends on the config only, not on earlier RNG use
    model = ColorCNN(cfg.colors, backbone=cfg.backbone, width=cfg.width, mean=mean, std=std).to(dev)
    opt, sched, steps = sgd_with_restarts(model, cfg, len(train))

    def epoch_fn(epoch: int, g: torch.Generator) -> dict:
        model.train()

        def step(idx: torch.Tensor, b: int) -> dict:
            x = classifier_augment(as_float(images[idx.to(dev)]), g)
            out = model(x, cfg.colors)
            logits = classify_quantized(clf, out.image, cfg.xi, cfg.color_norm, g)
            teacher = clf(x) if cfg.kd else None
            terms = colorcnn_loss(logits, labels[idx.to(dev)], out.prob, gamma=cfg.gamma, teacher_logits=teacher,
                                  multilabel=clf.multilabel)
            return descend(opt, sched, terms)

        return run_epoch(len(train), cfg.batch_size, g, step, f"colorcnn C={cfg.colors}", steps)

    fit(run, {"model": model, "optimizer": opt, "scheduler": sched}, cfg.epochs, cfg.seed, epoch_fn,
        f"colorcnn C={cfg.colors}")
    atomic_save(quantizer_checkpoint(model), run / "model.pt")
    return run


# ---------------------------------------------------------------- ColorCNN+

def task_schedule(cfg: ColorCNNPlusConfig, steps: int, g: torch.Generator) -> list[int]:
    """Colour count per batch of an epoch: a new C from ``task_colors`` every ``task_every`` batches
    (``task_every=0``: one C for the whole epoch) (Sec. 3.6.3)."""
    every = cfg.task_every or steps
    draws = torch.randint(0, len(cfg.task_colors), (math.ceil(steps / every),), generator=g)
    return [cfg.task_colors[int(draws[b // every])] for b in range(steps)]


def train_colorcnn_plus(cfg: ColorCNNPlusConfig, root=None, device: str | None = None) -> Path:
    """Train ColorCNN+ (Sec. 3.4–3.6, 4.1): one model for every C, MedianCut imitation via L_RP."""
    run = run_dir("colorcnn+", cfg)
    if (run / "model.pt").exists():
        return run
    dev, clf, train, images, labels = against_frozen_classifier(cfg, root, device)
    targets = imitation_targets(train.images, cfg.task_colors) if cfg.lam else {}
    targets = {c: t.to(dev) for c, t in targets.items()}
    mean, std = normalization_stats(cfg.classifier.data.dataset)
    torch.manual_seed(cfg.seed)  # weight init depends on the config only, not on earlier RNG use
    model = ColorCNNPlus(backbone=cfg.backbone, width=cfg.width, bottleneck=cfg.bottleneck, depth=cfg.depth,
                         topk=cfg.topk, mean=mean, std=std).to(dev)
    opt, sched, steps = sgd_with_restarts(model, cfg, len(train))

    def epoch_fn(epoch: int, g: torch.Generator) -> dict:
        model.train()
        tasks = task_schedule(cfg, steps, g)

        def step(idx: torch.Tensor, b: int) -> dict:
            c = tasks[b]
            idx = idx.to(dev)
            x = as_float(images[idx])
            target = targets[c][idx].long() if cfg.lam else None
            if target is None:
                (x,) = random_flip(x, g)
            else:
                x, target = random_flip(x, g, target)
            out = model(x, c)
            shown = post_quantization_augment(out.image, g) if cfg.post_augment else out.image
            logits = classify_quantized(clf, shown, cfg.xi, cfg.color_norm, g)
            teacher = clf(x) if cfg.kd else None
            rp_weight = 1 / (1 + math.exp(-(math.log2(c) - 4))) if cfg.rp_scale_by_colors else 1.0
            terms = colorcnn_plus_loss(logits, labels[idx], out.prob, target, lam=cfg.lam if target is not None else 0.0,
                                       gamma=cfg.gamma, alpha=cfg.alpha, beta=cfg.beta, fraction=cfg.rp_fraction,
                                       rp_weight=rp_weight, teacher_logits=teacher, multilabel=clf.multilabel)
            return descend(opt, sched, terms)

        return run_epoch(len(train), cfg.batch_size, g, step, "colorcnn+", steps)

    fit(run, {"model": model, "optimizer": opt, "scheduler": sched}, cfg.epochs, cfg.seed, epoch_fn, "colorcnn+")
    atomic_save(quantizer_checkpoint(model), run / "model.pt")
    return run


def load_quantizer_net(path: Path, expect: str | None = None) -> ColorQuantizerNet:
    return quantizer_from_checkpoint(load_model_file(path), expect)
