"""Training-step throughput: the plain step against the optimised one, for the classifier, ColorCNN and ColorCNN+.

Prints one JSON object (and writes it with ``--out``). For each step it reports images/s of

``plain``
    NCHW tensors and models, and the heads and L_RP as the paper writes them
    (:func:`colorcnn_repro.models.colorcnn.reference_ops`: ColorCNN+ makes its D-channel map, then pools it;
    L_RP compares the B×N×N relationship matrices).
``optimised``
    What the training loops run: models and batches in ``torch.channels_last`` memory, ColorCNN+'s Eq. 8
    pooling applied to the weights of its bias-free 1×1 convolution before the convolution, and L_RP summed
    per target cluster (:func:`colorcnn_repro.losses.relationship_preserving_loss`), without N×N matrices.

and ``<step>_speedup`` = optimised / plain (medians of per-step wall times, the two variants interleaved step by
step so that load from other processes hits both alike). Before timing, both variants run one forward and loss
from the same weights and batch, and ``max_abs_diff`` records how far their outputs (logits, probability map,
loss) are apart (they must agree to 1e-5). A ``torch.profiler`` run of each optimised step lists its top
operators by self CPU time.

The steps are the training loops' own (:func:`~colorcnn_repro.training.loops.colorcnn_terms`,
:func:`~colorcnn_repro.training.loops.colorcnn_plus_terms`, the classifier's task loss), on random images
and a randomly initialised frozen AlexNet (throughput depends on neither), so no data or training is needed.

    python benchmarks/train_step.py --steps 6 --out results/benchmarks/train_step.json
    python benchmarks/train_step.py --device cuda --width 64 [--bf16]   # on a GPU (plus peak memory)
    python benchmarks/train_step.py --compile --out results/benchmarks/train_step_compile.json

``--compile`` compares the optimised step (``plain`` in the JSON's place: ``eager``) with the same step whose
quantizer (or classifier) and frozen classifier body run through ``torch.compile`` (``compiled``); the first
steps, which compile, are the warm-up and are reported as ``compile_seconds``.

On CUDA the steps are timed between ``torch.cuda.synchronize()`` calls and ``peak_memory_mib`` gives the peak
allocated memory of each step's two variants; ``--bf16`` runs forward and loss under bf16 autocast.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from colorcnn_repro.losses import task_loss  # noqa: E402
from colorcnn_repro.models import ColorCNN, ColorCNNPlus, build_normalized_classifier, normalization_stats  # noqa: E402
from colorcnn_repro.models.colorcnn import reference_ops  # noqa: E402
from colorcnn_repro.parallel import autocast  # noqa: E402
from colorcnn_repro.profiles import get_config  # noqa: E402
from colorcnn_repro.training.loops import (  # noqa: E402
    channels_last,
    colorcnn_plus_terms,
    colorcnn_terms,
    descend,
    optimizer_and_schedule,
)
from colorcnn_repro.training.targets import imitation_targets  # noqa: E402

KINDS = ("classifier", "colorcnn", "colorcnn_plus")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--width", type=int, default=16, help="U-Net width (default 16, the cpu profile's)")
    p.add_argument("--batch-size", type=int, default=128, help="batch size (default 128)")
    p.add_argument("--steps", type=int, default=6, help="timed steps per variant (default 6)")
    p.add_argument("--warmup", type=int, default=1, help="untimed steps per variant first (default 1)")
    p.add_argument("--profile-steps", type=int, default=2, help="steps under torch.profiler (0: skip; default 2)")
    p.add_argument("--top", type=int, default=10, help="operators listed per profiled step (default 10)")
    p.add_argument("--only", choices=KINDS, action="append", help="benchmark only this step (repeatable)")
    p.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    p.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda (default cpu)")
    p.add_argument("--bf16", action="store_true", help="bf16 autocast for forward and loss (CUDA only)")
    p.add_argument("--compile", action="store_true",
                   help="time the optimised step eager against torch.compile instead of plain against optimised")
    args = p.parse_args(argv)
    args.device = torch.device(args.device)
    if args.device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    return args


def build_steps(kind: str, optimised: bool, args: argparse.Namespace, x: torch.Tensor, y: torch.Tensor,
                targets: dict[int, torch.Tensor], compiled: bool = False
                ) -> tuple[Callable[[], dict], Callable[[], dict]]:
    """``(train_step, forward)`` of one variant: a full optimiser step, and a no-grad forward (eval mode, fixed
    jitter) returning the tensors compared between variants; ``compiled``: the trained model and the frozen
    classifier's body through ``torch.compile``."""
    layout = torch.channels_last if optimised else torch.contiguous_format
    xb = channels_last(x) if optimised else x.contiguous()
    ops = nullcontext if optimised else reference_ops
    mean, std = normalization_stats("cifar10")
    torch.manual_seed(0)
    clf = build_normalized_classifier("alexnet", 10, "cifar10").to(args.device, memory_format=layout)
    torch.manual_seed(1)
    if kind == "classifier":
        model = clf.train()
    else:
        for p in clf.parameters():
            p.requires_grad_(False)
        clf.eval()
        cfg = get_config("colorcnn" if kind == "colorcnn" else "colorcnn+", "cpu",
                         {"width": args.width, "batch_size": args.batch_size, "colors": 2})
        if kind == "colorcnn":
            model = ColorCNN(cfg.colors, width=cfg.width, mean=mean, std=std, temperature=cfg.temperature)
        else:
            model = ColorCNNPlus(width=cfg.width, bottleneck=cfg.bottleneck, depth=cfg.depth, topk=cfg.topk,
                                 mean=mean, std=std, temperature=cfg.temperature)
        model = model.to(args.device, memory_format=layout).train()
    if compiled:
        clf.body = torch.compile(clf.body)
        if kind != "classifier":
            model = torch.compile(model)
    opt, sched = optimizer_and_schedule(model, get_config("classifier", "cpu").optim if kind == "classifier"
                                        else cfg.optim, 100, 10)
    g = torch.Generator().manual_seed(0)

    def terms(generator: torch.Generator) -> dict[str, torch.Tensor]:
        if kind == "classifier":
            logits = model(xb)
            return {"total": task_loss(logits, y), "logits": logits}
        if kind == "colorcnn":
            return colorcnn_terms(model, clf, cfg, xb, y, generator)
        return colorcnn_plus_terms(model, clf, cfg, xb, targets[4], y, 4, generator)

    def train_step() -> dict:
        with ops():
            with autocast(args.device, args.bf16):
                out = terms(g)
            return descend(opt, sched, out)

    @torch.no_grad()
    def forward() -> dict:
        with ops():
            model.eval()
            torch.manual_seed(0)  # L_RP samples its pixels from the global generator
            with autocast(args.device, args.bf16):
                out = {"loss": terms(torch.Generator().manual_seed(0))["total"]}
            if kind == "classifier":
                out["logits"] = model(xb)
            else:
                colors = 2 if kind == "colorcnn" else 4
                m = model.probability_map(xb, colors)
                out["prob"] = m
                out["logits"] = clf(model(xb, colors, hard=False).image)
            model.train()
            return {k: v.contiguous().float() for k, v in out.items()}

    return train_step, forward


def top_operators(step: Callable[[], dict], steps: int, top: int) -> list[dict]:
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    events = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    total = sum(e.self_cpu_time_total for e in events) or 1.0
    return [{"op": e.key, "self_cpu_ms_per_step": e.self_cpu_time_total / 1000 / steps, "calls": e.count // steps,
             "pct": 100 * e.self_cpu_time_total / total} for e in events[:top]]


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    gen = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (args.batch_size, 32, 32, 3), dtype=torch.uint8, generator=gen)
    x = images.permute(0, 3, 1, 2).float().div(255).to(args.device)
    y = torch.randint(0, 10, (args.batch_size,), generator=gen).to(args.device)
    targets = {c: t.long().to(args.device) for c, t in imitation_targets(images.numpy(), (4,), workers=1).items()}
    cuda = args.device.type == "cuda"
    report: dict = {"benchmark": "training step, plain vs optimised",
                    "settings": {"width": args.width, "batch_size": args.batch_size, "steps": args.steps,
                                 "warmup": args.warmup, "image_size": 32, "colorcnn_colors": 2,
                                 "colorcnn_plus_colors": 4, "profile": "cpu", "device": str(args.device),
                                 "bf16_autocast": args.bf16},
                    "timing": "median per-step wall clock; plain and optimised interleaved step by step"}
    names = ("eager", "compiled") if args.compile else ("plain", "optimised")
    if args.compile:
        report["benchmark"] = "training step, optimised eager vs torch.compile"
    for kind in args.only or KINDS:
        if args.compile:
            plain, plain_fwd = build_steps(kind, True, args, x, y, targets)
            fast, fast_fwd = build_steps(kind, True, args, x, y, targets, compiled=True)
        else:
            plain, plain_fwd = build_steps(kind, False, args, x, y, targets)
            fast, fast_fwd = build_steps(kind, True, args, x, y, targets)
        start = time.perf_counter()
        a, b = plain_fwd(), fast_fwd()
        first_forward = time.perf_counter() - start
        diff = {k: float((a[k] - b[k]).abs().max()) for k in a}
        times: dict[str, list[float]] = {name: [] for name in names}
        warmup: dict[str, float] = {name: 0.0 for name in names}
        if cuda:
            torch.cuda.reset_peak_memory_stats(args.device)
        for r in range(args.warmup + args.steps):
            for name, step in zip(names, (plain, fast)):
                if cuda:
                    torch.cuda.synchronize(args.device)
                start = time.perf_counter()
                step()
                if cuda:
                    torch.cuda.synchronize(args.device)
                elapsed = time.perf_counter() - start
                if r >= args.warmup:
                    times[name].append(elapsed)
                else:
                    warmup[name] += elapsed
        rate = {name: args.batch_size / statistics.median(ts) for name, ts in times.items()}
        report[kind] = {"images_per_s": rate, "max_abs_diff": diff, "outputs_agree": max(diff.values()) <= 1e-5}
        if args.compile:
            report[kind]["compile_seconds"] = first_forward + warmup["compiled"]
        if cuda:
            report[kind]["peak_memory_mib"] = torch.cuda.max_memory_allocated(args.device) / 2**20
        report[f"{kind}_speedup"] = rate[names[1]] / rate[names[0]]
        if args.profile_steps:
            report[kind]["top_operators_optimised"] = top_operators(fast, args.profile_steps, args.top)
    if cuda:
        report["cuda_device"] = torch.cuda.get_device_name(args.device)
    report.update({"cpu_capability": torch.backends.cpu.get_cpu_capability(), "threads": torch.get_num_threads(),
                   "load_avg_1min": os.getloadavg()[0], "torch": torch.__version__,
                   "python": platform.python_version(), "cpu_count": os.cpu_count()})
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_name(args.out.name + ".tmp")
        tmp.write_text(text + "\n")
        os.replace(tmp, args.out)
    return report


if __name__ == "__main__":
    main()
