"""Training of the classifier, ColorCNN (one model per C) and ColorCNN+ against the frozen classifier.

On any device: the training split, its labels and imitation targets are moved to the device once (through
pinned memory on CUDA); per step only the batch indices and the per-image augmentation parameters, drawn from
the epoch's seeded CPU generator for reproducibility (a handful of numbers per image), cross to the device.
``optim.bf16_autocast`` runs the forward passes and losses under bf16 autocast on CUDA. Under torchrun each
stage trains with DistributedDataParallel on a slice of every global batch (:mod:`colorcnn_repro.parallel`).
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .. import parallel
from ..config import (
    OPTIMIZERS,
    SCHEDULES,
    ClassifierConfig,
    ColorCNNConfig,
    ColorCNNPlusConfig,
    DataConfig,
    OptimConfig,
    QuantizerConfig,
    StageConfig,
)
from ..data import ImageArrays, load_dataset
from ..losses import colorcnn_loss, colorcnn_plus_loss, rp_weight, task_loss
from ..models import ColorCNN, ColorCNNPlus, NormalizedClassifier, build_normalized_classifier, normalization_stats
from ..models.checkpoint import (
    Stateful,
    classifier_checkpoint,
    load_checkpoint,
    load_classifier,
    load_quantizer_net,
    quantizer_checkpoint,
    save_checkpoint,
    training_checkpoint,
)
from ..parallel import autocast, distribute, per_image, pick_device, to_device
from ..paths import DataRoot
from ..results import repo_relative
from ..store import file_lock, model_file, run_dir, run_path, trained_model_file
from .augment import classifier_augment, post_quantization_augment, random_flip
from .runs import check_training_allowed, cycle_ends, fit, run_epoch
from .targets import imitation_targets


def load_split(data: DataConfig, split: str, root: DataRoot = None, limit: int | None = None) -> ImageArrays:
    """A split of ``data``'s dataset: a class-balanced subset of ``limit`` images when given, else the training
    split honours ``data.limit_train``."""
    if limit is None and split == "train":
        limit = data.limit_train
    return load_dataset(data.dataset, split, root, limit=limit, seed=data.seed)


def to_tensor(images: np.ndarray, device: torch.device) -> torch.Tensor:
    """N×H×W×3 uint8 → N×3×H×W uint8 tensor on ``device`` (converted to float per batch)."""
    return to_device(torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(), device)


def training_device(name: str | None) -> torch.device:
    """The device a training stage runs on (:func:`~colorcnn_repro.parallel.pick_device`), after joining the
    torchrun process group when there is one."""
    dev = pick_device(name)
    parallel.setup(dev)
    return dev


@contextmanager
def training_run(stage: str, cfg: StageConfig, device: str | None) -> Iterator[tuple[Path, torch.device, bool]]:
    """``(run folder, device, done)`` of a training stage, held under the run's file lock: a process asking for
    a run that another is training waits for it, then finds it ``done`` (``model.pt`` exists) and reuses it.
    Joins the torchrun process group first, so that every rank agrees on ``done``. Raises
    :class:`~.runs.TrainingForbidden` when the model is missing and training is off."""
    if not (run_path(stage, cfg) / "model.pt").exists():
        check_training_allowed(stage, cfg)
    run = run_dir(stage, cfg)
    dev = training_device(device)
    with file_lock(run):
        yield run, dev, parallel.agree((run / "model.pt").exists())


def save_trained(checkpoint: dict, run: Path) -> None:
    """Write a finished run's ``model.pt`` (rank 0 only), then let every rank go on."""
    if parallel.is_main():
        save_checkpoint(checkpoint, run / "model.pt")
    parallel.barrier()


def as_float(x: torch.Tensor) -> torch.Tensor:
    return x.float().div_(255)


def channels_last(x: torch.Tensor) -> torch.Tensor:
    """The memory layout the training steps run in (models too: ``.to(memory_format=torch.channels_last)``):
    on a CPU, convolutions run as NHWC GEMMs there, faster for AlexNet and more so for the U-Net with its 1×1
    heads (``benchmarks/train_step.py`` measures both); the values are those of the NCHW path."""
    return x.contiguous(memory_format=torch.channels_last)


def optimizer_and_schedule(model: nn.Module, optim: OptimConfig, steps_per_epoch: int,
                           epochs: int) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """``(optimizer, per-batch lr scheduler)`` of ``optim`` for ``epochs`` of ``steps_per_epoch`` (Sec. 4.1):
    SGD (momentum, optional Nesterov) or Adam (β1 = ``momentum``); one-cycle to ``lr``, or cosine from ``lr``
    to 0 restarted every ``restart_epochs`` (``warm_restarts``) or after cycles of 1, 2, 4, … × ``restart_epochs``
    (``warm_restarts_doubling``)."""
    if optim.name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optim.name!r}; accepted: {', '.join(OPTIMIZERS)}")
    if optim.schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {optim.schedule!r}; accepted: {', '.join(SCHEDULES)}")
    params = [p for p in model.parameters() if p.requires_grad]
    opt: torch.optim.Optimizer
    sched: torch.optim.lr_scheduler.LRScheduler
    if optim.name == "sgd":
        opt = torch.optim.SGD(params, lr=optim.lr, momentum=optim.momentum, weight_decay=optim.weight_decay,
                              nesterov=optim.nesterov)
    else:
        opt = torch.optim.Adam(params, lr=optim.lr, betas=(optim.momentum, 0.999), weight_decay=optim.weight_decay)
    if optim.schedule == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=optim.lr, total_steps=max(1, epochs * steps_per_epoch))
    else:
        sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
            opt, T_0=max(1, optim.restart_epochs * steps_per_epoch), eta_min=0.0,
            T_mult=2 if optim.schedule == "warm_restarts_doubling" else 1)
    return opt, sched


def descend(opt: torch.optim.Optimizer, sched: torch.optim.lr_scheduler.LRScheduler,
            terms: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """One optimizer and scheduler step on ``terms["total"]``; the detached terms for logging. In a sharded
    global batch the loss is scaled by the shard's :attr:`~colorcnn_repro.parallel.Shard.loss_scale`."""
    opt.zero_grad(set_to_none=True)
    shard = parallel.current_shard()
    if shard is not None and shard.loss_scale != 1:
        (terms["total"] * shard.loss_scale).backward()
    else:
        terms["total"].backward()
    opt.step()
    sched.step()
    return {k: v.detach() for k, v in terms.items()}


# ---------------------------------------------------------------- classifier

def train_classifier(cfg: ClassifierConfig, root: DataRoot = None, device: str | None = None) -> Path:
    """Train the classifier on original images (Sec. 4.1); returns the run directory (model.pt inside).
    A process asking for a run that another is training waits for it (file lock) and reuses it."""
    with training_run("classifier", cfg, device) as (run, dev, done):
        if done:
            return run
        train = load_split(cfg.data, "train", root)
        torch.manual_seed(cfg.seed)  # weight init depends on the config only, not on earlier RNG use
        model = build_normalized_classifier(cfg.classifier, len(train.classes), cfg.data.dataset, train.multilabel)
        model = model.to(dev, memory_format=torch.channels_last)  # type: ignore[call-overload]  # not in torch's stubs
        net = distribute(model, dev)
        images, labels = to_tensor(train.images, dev), to_device(torch.from_numpy(train.labels), dev)
        opt, sched = optimizer_and_schedule(model, cfg.optim, math.ceil(len(train) / cfg.batch_size), cfg.epochs)

        def epoch_fn(epoch: int, g: torch.Generator) -> dict:
            model.train()

            def step(idx: torch.Tensor, b: int) -> dict:
                x = channels_last(classifier_augment(as_float(images[idx.to(dev)]), g))
                with autocast(dev, cfg.optim.bf16_autocast):
                    terms = {"total": task_loss(net(x), labels[idx.to(dev)], multilabel=model.multilabel)}
                return descend(opt, sched, terms)

            return run_epoch(len(train), cfg.batch_size, g, step, f"classifier {cfg.classifier}")

        history = fit(run, {"model": model, "optimizer": opt, "scheduler": sched}, cfg.epochs, cfg.seed, epoch_fn,
                      "classifier")
        save_trained(classifier_checkpoint(model, cfg.classifier, len(train.classes), cfg.data.dataset, history), run)
    return run


def frozen_classifier(cfg: ClassifierConfig, *, device: str | None = None) -> NormalizedClassifier:
    """The trained classifier of ``cfg`` (run or zoo), frozen and in eval mode on ``device``. Never trains: a
    missing one raises :class:`~colorcnn_repro.store.MissingModelError` naming it."""
    path = trained_model_file("classifier", cfg)
    model = load_classifier(path).to(pick_device(device), memory_format=torch.channels_last)  # type: ignore[call-overload]
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def ensure_classifier(cfg: ClassifierConfig, root: DataRoot = None, device: str | None = None) -> NormalizedClassifier:
    """:func:`frozen_classifier`, trained first (:func:`train_classifier`) when neither a run nor the zoo has it:
    for the training paths that need it (the classifier stage, training a quantizer), never for loading."""
    if parallel.agree(model_file("classifier", cfg) is None):
        train_classifier(cfg, root, device)
    return frozen_classifier(cfg, device=device)


def classify_quantized(clf: NormalizedClassifier, x_soft: torch.Tensor, xi: float, color_norm: float,
                       g: torch.Generator) -> torch.Tensor:
    """Classifier logits on a train-time quantized batch: normalized, divided by ``color_norm`` and
    jittered with ξ·n, n ~ N(0, 1) drawn once per image (Sec. 3.3.2)."""
    z = clf.normalize(x_soft, color_norm)
    if xi:
        z = z + xi * per_image(torch.randn, z.shape[0], 1, 1, 1, generator=g).to(z)
    return clf.body(z)


# ---------------------------------------------------------------- quantizer training, shared

def against_frozen_classifier(cfg: QuantizerConfig, dev: torch.device, root: DataRoot = None,
                              device: str | None = None
                              ) -> tuple[NormalizedClassifier, ImageArrays, torch.Tensor, torch.Tensor]:
    """``(frozen classifier, training split, its images and labels as tensors on dev)``: what training a
    quantizer starts from (the classifier trained first if need be)."""
    clf = ensure_classifier(cfg.classifier, root, device)
    train = load_split(cfg.classifier.data, "train", root)
    return clf, train, to_tensor(train.images, dev), to_device(torch.from_numpy(train.labels), dev)


def quantizer_optimizer(model: nn.Module, cfg: QuantizerConfig,
                        n_train: int) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler, int]:
    """``(optimizer, scheduler, steps per epoch)`` for a quantizer that sees ``train_fraction`` of the split
    per epoch (Sec. 4.1)."""
    steps = math.ceil(n_train * cfg.train_fraction / cfg.batch_size)
    return (*optimizer_and_schedule(model, cfg.optim, steps, cfg.epochs), steps)


def fit_quantizer(stage: str, cfg: QuantizerConfig, run: Path, model: ColorCNN | ColorCNNPlus,
                  opt: torch.optim.Optimizer, sched: torch.optim.lr_scheduler.LRScheduler,
                  epoch_fn: Callable[[int, torch.Generator], dict], desc: str, until: int | None,
                  archive: Path | None) -> None:
    """Train a quantizer for ``cfg.epochs`` (or until ``until``; ``archive``, a folder for its cycle-end states:
    see :func:`~.runs.fit`) and save its
    ``model.pt`` with its training history once finished. At each cycle end before the last the model is also
    saved as the trained model of the same config for that many epochs (exact for warm restarts,
    :func:`~.runs.cycle_ends`), so every cycle of a long run can be evaluated like any other model."""

    def snapshot(epoch: int, history: list[dict]) -> None:
        if epoch < cfg.epochs:
            save_checkpoint({**quantizer_checkpoint(model), "history": history},
                        run_dir(stage, replace(cfg, epochs=epoch)) / "model.pt")

    history = fit(run, {"model": model, "optimizer": opt, "scheduler": sched}, cfg.epochs, cfg.seed, epoch_fn, desc,
                  until=until, ends=cycle_ends(cfg.optim, cfg.epochs), at_cycle_end=snapshot, archive=archive)
    if len(history) == cfg.epochs:
        save_trained({**quantizer_checkpoint(model), "history": history}, run)


def restart_from_model(method: str, cfg: QuantizerConfig, epoch: int, root: DataRoot = None) -> bool:
    """Start the run of ``cfg`` at ``epoch``, a cycle end of its warm-restarts schedule, from the trained model of
    the same config for ``epoch`` epochs (a run's or the zoo's), for a run whose training state there is gone: the
    model's weights and history, the schedule where it restarts, and a fresh optimiser. Unlike a resumed run this
    is not the uninterrupted run: the optimiser's momentum starts again from zero at the restart (the learning
    rate restarts there anyway). The checkpoint records the model it started from (``restarted_from``). Returns
    whether the run was seeded (False: it already has a checkpoint or its weights)."""
    if epoch >= cfg.epochs or epoch not in cycle_ends(cfg.optim, cfg.epochs):
        raise ValueError(f"{method}: a run restarts from its model at a cycle end before its last epoch; {epoch} "
                         f"is not one of {cycle_ends(cfg.optim, cfg.epochs)[:-1]} ({cfg.optim.schedule!r}, "
                         f"{cfg.epochs} epochs)")
    if (run_path(method, cfg) / "checkpoint.pt").exists() or model_file(method, cfg) is not None:
        return False
    source = trained_model_file(method, replace(cfg, epochs=epoch))
    model = load_quantizer_net(source, method)
    opt, sched, steps = quantizer_optimizer(model, cfg, len(load_split(cfg.classifier.data, "train", root)))
    with warnings.catch_warnings():  # the schedule is wound on without optimizer steps
        warnings.simplefilter("ignore", UserWarning)
        for _ in range(epoch * steps):
            sched.step()
    history = load_checkpoint(source)["history"]
    modules: dict[str, Stateful] = {"model": model, "optimizer": opt, "scheduler": sched}
    save_checkpoint({**training_checkpoint(modules, history, epoch), "restarted_from": repo_relative(source)},
                    run_dir(method, cfg) / "checkpoint.pt")
    return True


# ---------------------------------------------------------------- ColorCNN

def colorcnn_terms(model: ColorCNN | nn.Module, clf: NormalizedClassifier, cfg: ColorCNNConfig, x: torch.Tensor,
                   labels: torch.Tensor, g: torch.Generator) -> dict[str, torch.Tensor]:
    """Loss terms of one ColorCNN batch ``x`` (already augmented): soft quantization, the frozen classifier on
    the jittered result, task loss + γ·R_color (Eq. 1, 7), γ·log2 C when ``cfg.gamma_log2c``. ``model`` may be
    the DDP-wrapped model."""
    out = model(x, cfg.colors)
    logits = classify_quantized(clf, out.image, cfg.xi, cfg.color_norm, g)
    teacher = clf(x) if cfg.kd else None
    weight = cfg.gamma * math.log2(cfg.colors) if cfg.gamma_log2c else cfg.gamma
    return colorcnn_loss(logits, labels, out.prob, gamma=weight, teacher_logits=teacher, multilabel=clf.multilabel)


def train_colorcnn(cfg: ColorCNNConfig, root: DataRoot = None, device: str | None = None, *,
                   until: int | None = None, archive: Path | None = None) -> Path:
    """Train one ColorCNN for ``cfg.colors`` (Sec. 3.3, 4.1) against the frozen classifier; ``until`` and
    ``archive``: see :func:`fit_quantizer`."""
    with training_run("colorcnn", cfg, device) as (run, dev, done):
        if done:
            return run
        clf, train, images, labels = against_frozen_classifier(cfg, dev, root, device)
        mean, std = normalization_stats(cfg.classifier.data.dataset)
        torch.manual_seed(cfg.seed)  # weight init depends on the config only, not on earlier RNG use
        model = ColorCNN(cfg.colors, backbone=cfg.backbone, width=cfg.width, mean=mean, std=std,
                         temperature=cfg.temperature).to(dev, memory_format=torch.channels_last)  # type: ignore[call-overload]  # not in torch's stubs
        net = distribute(model, dev)
        opt, sched, steps = quantizer_optimizer(model, cfg, len(train))

        def epoch_fn(epoch: int, g: torch.Generator) -> dict:
            model.train()

            def step(idx: torch.Tensor, b: int) -> dict:
                idx = idx.to(dev)
                x = channels_last(classifier_augment(as_float(images[idx]), g))
                with autocast(dev, cfg.optim.bf16_autocast):
                    terms = colorcnn_terms(net, clf, cfg, x, labels[idx], g)
                return descend(opt, sched, terms)

            return run_epoch(len(train), cfg.batch_size, g, step, f"colorcnn C={cfg.colors}", steps)

        fit_quantizer("colorcnn", cfg, run, model, opt, sched, epoch_fn, f"colorcnn C={cfg.colors}", until, archive)
    return run


# ---------------------------------------------------------------- ColorCNN+

def task_schedule(cfg: ColorCNNPlusConfig, steps: int, g: torch.Generator) -> list[int]:
    """Colour count per batch of an epoch: a new C from ``task_colors`` every ``task_every`` batches
    (``task_every=0``: one C for the whole epoch) (Sec. 3.6.3)."""
    every = cfg.task_every or steps
    draws = torch.randint(0, len(cfg.task_colors), (math.ceil(steps / every),), generator=g)
    return [cfg.task_colors[int(draws[b // every])] for b in range(steps)]


def colorcnn_plus_terms(model: ColorCNNPlus | nn.Module, clf: NormalizedClassifier, cfg: ColorCNNPlusConfig,
                        x: torch.Tensor, target: torch.Tensor | None, labels: torch.Tensor, colors: int,
                        g: torch.Generator) -> dict[str, torch.Tensor]:
    """Loss terms of one ColorCNN+ batch at C = ``colors`` (Eq. 13, 16): soft quantization, post-quantization
    augmentation, the frozen classifier on the jittered result, λ·L_RP against the imitation ``target``
    (none: λ = 0), R_color, α·R_info, β·R_conf."""
    out = model(x, colors)
    shown = post_quantization_augment(out.image, g) if cfg.post_augment else out.image
    logits = classify_quantized(clf, shown, cfg.xi, cfg.color_norm, g)
    teacher = clf(x) if cfg.kd else None
    return colorcnn_plus_loss(logits, labels, out.prob, target, lam=cfg.lam if target is not None else 0.0,
                              gamma=cfg.gamma, alpha=cfg.alpha, beta=cfg.beta, fraction=cfg.rp_fraction,
                              rp_factor=rp_weight(cfg.rp_schedule, colors), entropy_reduction=cfg.entropy_reduction,
                              teacher_logits=teacher, multilabel=clf.multilabel)


def train_colorcnn_plus(cfg: ColorCNNPlusConfig, root: DataRoot = None, device: str | None = None, *,
                        until: int | None = None, archive: Path | None = None) -> Path:
    """Train ColorCNN+ (Sec. 3.4–3.6, 4.1): one model for every C, MedianCut imitation via L_RP; ``until`` and
    ``archive``: see :func:`fit_quantizer`."""
    with training_run("colorcnn+", cfg, device) as (run, dev, done):
        if done:
            return run
        clf, train, images, labels = against_frozen_classifier(cfg, dev, root, device)
        targets = imitation_targets(train.images, cfg.task_colors) if cfg.lam else {}
        targets = {c: to_device(t, dev) for c, t in targets.items()}
        mean, std = normalization_stats(cfg.classifier.data.dataset)
        torch.manual_seed(cfg.seed)  # weight init depends on the config only, not on earlier RNG use
        model = ColorCNNPlus(backbone=cfg.backbone, width=cfg.width, bottleneck=cfg.bottleneck, depth=cfg.depth,
                             topk=cfg.topk, mean=mean, std=std, temperature=cfg.temperature)
        model = model.to(dev, memory_format=torch.channels_last)  # type: ignore[call-overload]  # not in torch's stubs
        net = distribute(model, dev)
        opt, sched, steps = quantizer_optimizer(model, cfg, len(train))

        def epoch_fn(epoch: int, g: torch.Generator) -> dict:
            model.train()
            tasks = task_schedule(cfg, steps, g)

            def step(idx: torch.Tensor, b: int) -> dict:
                c = tasks[b]
                idx = idx.to(dev)
                x = as_float(images[idx])
                if cfg.lam:
                    x, target = random_flip(x, g, targets[c][idx].long())
                else:
                    (x,), target = random_flip(x, g), None
                with autocast(dev, cfg.optim.bf16_autocast):
                    terms = colorcnn_plus_terms(net, clf, cfg, channels_last(x), target, labels[idx], c, g)
                return descend(opt, sched, terms)

            return run_epoch(len(train), cfg.batch_size, g, step, "colorcnn+", steps)

        fit_quantizer("colorcnn+", cfg, run, model, opt, sched, epoch_fn, "colorcnn+", until, archive)
    return run


#: How a learned method's networks are trained: ``trainer(cfg, root, device, until=…, archive=…) → run folder``.
Trainer = Callable[..., Path]
#: The trainer of each learned method, by the method's name (:data:`colorcnn_repro.methods.LEARNED`).
TRAINERS: dict[str, Trainer] = {"colorcnn": train_colorcnn, "colorcnn+": train_colorcnn_plus}


def trainer(method: str) -> Trainer:
    """The trainer of the learned ``method``; ValueError listing the methods that have one."""
    if method not in TRAINERS:
        raise ValueError(f"no trainer for {method!r}; accepted: {', '.join(TRAINERS)}")
    return TRAINERS[method]
