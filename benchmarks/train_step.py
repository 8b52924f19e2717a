"""ColorCNN+ training throughput: the real data path against the bare model step.

Prints one JSON object with images/s of three step variants, timed interleaved (one step of each per round,
so that load from other processes hits all of them alike), after ``--warmup`` untimed rounds:

``pipeline``
    What one batch of :func:`colorcnn_repro.training.loops.train_colorcnn_plus` does: gather a batch of
    uint8 images by a seeded permutation, convert to float, gather the cached MedianCut imitation targets
    (:func:`colorcnn_repro.training.targets.imitation_targets`) for this batch's C (drawn by
    :func:`~colorcnn_repro.training.loops.task_schedule`), random flip of images and targets, ColorCNN+
    forward, post-quantization augmentation, :func:`~colorcnn_repro.training.loops.classify_quantized`
    through the frozen classifier, :func:`~colorcnn_repro.losses.colorcnn_plus_loss`, backward, SGD and
    scheduler step.
``in_memory``
    The same model step on one fixed float batch with one fixed C and one fixed target already in memory:
    no gather, no flip, no post-quantization augmentation. ``overhead_pct`` compares ``pipeline`` to this
    (goal: at most 15 %).
``in_memory_post_augment``
    ``in_memory`` plus the post-quantization augmentation, which is part of the method (the classifier
    sees augmented quantized images and gradients flow back through it): it splits the overhead into the
    augmentation's share and the data path's (gather, flip, varying C).

The one-off cost of the imitation targets (computed once per dataset image and C, then read from the
on-disk cache ``$COLORCNN_CACHE``) is reported separately as ``targets_s``.

The classifier is a randomly initialised, frozen one (throughput does not depend on its weights), so
nothing needs training first. The step is re-assembled here from the same functions that
``train_colorcnn_plus`` calls, because that loop keeps its step in a closure; a ``colorcnn_plus_step(...)``
function in ``training/loops.py`` shared by the loop and this script would guarantee that the two never
drift apart.

    COLORCNN_DATA=/path/to/data python benchmarks/train_step.py --width 16 --batch-size 128 --steps 20
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from colorcnn_repro.data import load_dataset  # noqa: E402
from colorcnn_repro.experiments.config import get_config  # noqa: E402
from colorcnn_repro.losses import colorcnn_plus_loss  # noqa: E402
from colorcnn_repro.models import ColorCNNPlus, build_normalized_classifier, normalization_stats  # noqa: E402
from colorcnn_repro.training.augment import post_quantization_augment, random_flip  # noqa: E402
from colorcnn_repro.training.loops import (as_float, classify_quantized, sgd, task_schedule,  # noqa: E402
                                           to_tensor, warm_restarts)
from colorcnn_repro.training.runs import pick_device  # noqa: E402
from colorcnn_repro.training.targets import imitation_targets  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--width", type=int, default=16, help="U-Net width (default 16, the cpu profile's)")
    p.add_argument("--batch-size", type=int, default=128, help="batch size (default 128)")
    p.add_argument("--steps", type=int, default=20, help="timed steps per variant (default 20)")
    p.add_argument("--warmup", type=int, default=2, help="untimed rounds first (default 2)")
    p.add_argument("--n-images", type=int, default=2000,
                   help="class-balanced CIFAR-10 training images (default 2000)")
    p.add_argument("--colors", type=int, default=8, help="the fixed C of the in-memory variants (default 8)")
    p.add_argument("--profile", default="cpu", help="config profile for the loss weights etc. (default cpu)")
    p.add_argument("--device", default=None, help="torch device (default: cuda if present, else cpu)")
    return p.parse_args(argv)


def sync(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    dev = pick_device(args.device)
    cfg = get_config("colorcnn+", args.profile, {"colorcnn_plus.width": args.width,
                                                "colorcnn_plus.batch_size": args.batch_size})
    if args.colors not in cfg.task_colors:
        sys.exit(f"--colors {args.colors} is not one of the task colours {cfg.task_colors}")

    t0 = time.perf_counter()
    train = load_dataset("cifar10", "train", limit=args.n_images, seed=cfg.classifier.data.seed)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    targets = {c: t.to(dev) for c, t in imitation_targets(train.images, cfg.task_colors).items()}
    targets_s = time.perf_counter() - t0

    torch.manual_seed(0)
    clf = build_normalized_classifier(cfg.classifier.classifier, len(train.classes), "cifar10").to(dev).eval()
    for p in clf.parameters():
        p.requires_grad_(False)
    mean, std = normalization_stats("cifar10")
    images = to_tensor(train.images, dev)
    labels = torch.from_numpy(train.labels).to(dev)
    steps_per_epoch = math.ceil(len(train) / cfg.batch_size)

    def make_model():
        torch.manual_seed(0)
        model = ColorCNNPlus(backbone=cfg.backbone, width=cfg.width, bottleneck=cfg.bottleneck, depth=cfg.depth,
                             topk=cfg.topk, mean=mean, std=std).to(dev).train()
        opt = sgd(model, cfg.lr, cfg.momentum, cfg.weight_decay)
        return model, opt, warm_restarts(opt, cfg.restart_epochs * steps_per_epoch)

    def update(model, opt, sched, x, target, y, c, g, augment: bool) -> None:
        """The model step shared by all variants (as in ``train_colorcnn_plus``)."""
        out = model(x, c)
        shown = post_quantization_augment(out.image, g) if augment else out.image
        logits = classify_quantized(clf, shown, cfg.xi, cfg.color_norm, g)
        rp_weight = 1 / (1 + math.exp(-(math.log2(c) - 4))) if cfg.rp_scale_by_colors else 1.0
        terms = colorcnn_plus_loss(logits, y, out.prob, target, lam=cfg.lam, gamma=cfg.gamma, alpha=cfg.alpha,
                                   beta=cfg.beta, fraction=cfg.rp_fraction, rp_weight=rp_weight)
        opt.zero_grad(set_to_none=True)
        terms["total"].backward()
        opt.step()
        sched.step()
        {k: float(v.detach()) for k, v in terms.items()}  # run_epoch reads every term each step (a sync)

    # pipeline: seeded permutation, batches, task schedule, gathers and flip, as in the training loop; the
    # schedule draws from --colors only, so that both variants do the same model work (cost grows with C)
    pipe_cfg = replace(cfg, task_colors=(args.colors,))
    g_pipe = torch.Generator().manual_seed(0)
    pipe_state = {"batches": [], "tasks": [], "b": 0}

    def pipeline_step(model, opt, sched) -> None:
        if pipe_state["b"] >= len(pipe_state["batches"]):
            perm = torch.randperm(len(train), generator=g_pipe)
            pipe_state["batches"] = [idx for idx in perm.split(cfg.batch_size) if len(idx) == cfg.batch_size]
            pipe_state["tasks"] = task_schedule(pipe_cfg, len(pipe_state["batches"]), g_pipe)
            pipe_state["b"] = 0
        b = pipe_state["b"]
        pipe_state["b"] += 1
        c = pipe_state["tasks"][b]
        idx = pipe_state["batches"][b].to(dev)
        x = as_float(images[idx])
        target = targets[c][idx].long()
        x, target = random_flip(x, g_pipe, target)
        update(model, opt, sched, x, target, labels[idx], c, g_pipe, cfg.post_augment)

    # in memory: one fixed batch, fixed C, fixed target, prepared once
    fixed_idx = torch.arange(min(cfg.batch_size, len(train)), device=dev)
    fixed_x = as_float(images[fixed_idx]).contiguous()
    fixed_t = targets[args.colors][fixed_idx].long().contiguous()
    fixed_y = labels[fixed_idx].contiguous()
    g_mem = torch.Generator().manual_seed(0)
    g_aug = torch.Generator().manual_seed(0)

    variants = {
        "in_memory": (make_model(), lambda m, o, s: update(m, o, s, fixed_x, fixed_t, fixed_y, args.colors, g_mem,
                                                           False)),
        "in_memory_post_augment": (make_model(), lambda m, o, s: update(m, o, s, fixed_x, fixed_t, fixed_y,
                                                                        args.colors, g_aug, True)),
        "pipeline": (make_model(), pipeline_step),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for r in range(args.warmup + args.steps):
        for name, ((model, opt, sched), step) in variants.items():
            sync(dev)
            start = time.perf_counter()
            step(model, opt, sched)
            sync(dev)
            if r >= args.warmup:
                times[name].append(time.perf_counter() - start)

    def summary(ts: list[float]) -> dict[str, float]:
        med, mean_t = statistics.median(ts), statistics.fmean(ts)
        return {"images_per_s": cfg.batch_size / mean_t, "images_per_s_median": cfg.batch_size / med,
                "step_ms_mean": 1000 * mean_t, "step_ms_median": 1000 * med}

    results = {name: summary(ts) for name, ts in times.items()}
    base = results["in_memory"]["step_ms_median"]
    aug = results["in_memory_post_augment"]["step_ms_median"]
    pipe = results["pipeline"]["step_ms_median"]
    print(json.dumps({
        "benchmark": "colorcnn+ train step",
        "settings": {"width": args.width, "batch_size": cfg.batch_size, "steps": args.steps, "warmup": args.warmup,
                     "n_images": len(train), "fixed_colors": args.colors, "task_colors": list(cfg.task_colors),
                     "task_every": cfg.task_every, "post_augment": cfg.post_augment, "profile": args.profile,
                     "classifier": cfg.classifier.classifier + " (random init, frozen)"},
        "results": results,
        "overhead_pct": 100 * (pipe / base - 1),
        "overhead_goal_pct": 15.0,
        "overhead_within_goal": pipe / base - 1 <= 0.15,
        "breakdown_pct_of_in_memory": {"post_augment": 100 * (aug / base - 1),
                                       "data_path": 100 * (pipe - aug) / base},
        "load_s": load_s,
        "targets_s": targets_s,
        "targets_note": "one-off; cached under $COLORCNN_CACHE (a cache hit only reads the .npy files)",
        "timing": "per-step wall clock, variants interleaved; overhead from medians",
        "device": str(dev),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    }, indent=2))


if __name__ == "__main__":
    main()
