"""Device check: does the training and evaluation engine run on this device, how fast, and how many GPU-hours
would the paper profile and the paper's Fig. 12 grid take here.

On CUDA (about 5 minutes on one GPU, at most 8; ``make device-check``):

1. ``smoke_chain``: the smoke profile end to end (classifier → one ColorCNN per C → ColorCNN+ → evaluation
   with the classical quantizers on the CPU worker pool) on the device, through the pipeline's own code;
2. ``train_step``: ``benchmarks/train_step.py`` at the paper's width (64), batch 128, with and without bf16
   autocast (images/s, peak memory);
3. ``stages``: two short epochs (``--steps`` steps of batch 128) of each paper-profile stage through the
   training loops, timed on the second; classifier steps of VGG16 and ResNet18 for the other panels; an
   evaluation of ``--eval-images`` images;
4. ``estimate``: GPU-hours of the paper profile (CIFAR-10, AlexNet) and of Fig. 12's 12 panels (CIFAR-10,
   CIFAR-100, STL-10, Tiny-ImageNet × AlexNet, VGG16, ResNet18), extrapolated from 3. (the assumptions are
   written into the JSON).

With ``--device cpu`` it runs the same parts at a tiny scale (widths 4, a few images): the CPU fallback that
CI runs to keep this script working; its throughput and estimates mean nothing. Everything is written to
temporary run, cache and results folders; the report goes to ``results/device/device_check-<device>.json``
and stdout. CIFAR-10 comes from the data root when it is there, else (for parts 3–4) from a CIFAR-sized
synthetic set made from the shipped sample (throughput does not depend on the pictures).

    python benchmarks/device_check.py                 # CUDA when present
    python benchmarks/device_check.py --device cpu    # the CPU fallback (about a minute)
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing
sys.path.insert(0, str(REPO / "benchmarks"))

from colorcnn_repro import __version__  # noqa: E402

#: Fig. 12's panels: training images, side in pixels and evaluation images per dataset (our splits: CIFAR's
#: 5,000-image validation carve-out, STL-10's 500, Tiny-ImageNet's 10 per class of 200).
DATASETS = {"cifar10": (45_000, 32, 5_000), "cifar100": (45_000, 32, 5_000), "stl10": (4_500, 96, 500),
            "tinyimagenet": (98_000, 64, 2_000)}
CLASSIFIERS = ("alexnet", "vgg16", "resnet18")
COLORCNN_MODELS = 6  # one ColorCNN per C = 2 … 64


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default=None, help="torch device (default: cuda when present, else cpu)")
    p.add_argument("--steps", type=int, default=None, help="timed steps per stage epoch (default 40; cpu 2)")
    p.add_argument("--eval-images", type=int, default=None, help="images of the timed evaluation (default 500)")
    p.add_argument("--out", type=Path, default=None,
                   help="report path (default results/device/device_check-<device type>.json)")
    p.add_argument("--skip", action="append", default=[], choices=("smoke_chain", "train_step", "stages"),
                   help="leave a part out (repeatable)")
    args = p.parse_args(argv)
    args.device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if args.device.type == "cuda" and not torch.cuda.is_available():
        p.error("--device cuda but torch.cuda.is_available() is False")
    args.tiny = args.device.type != "cuda"
    args.steps = args.steps or (2 if args.tiny else 40)
    args.eval_images = args.eval_images or (20 if args.tiny else 500)
    args.out = args.out or REPO / "results" / "device" / f"device_check-{args.device.type}.json"
    return args


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@contextlib.contextmanager
def isolated(folder: Path):
    """Runs, caches and results under ``folder`` for the duration (nothing lands in the repository)."""
    names = ("COLORCNN_RUNS", "COLORCNN_CACHE", "COLORCNN_RESULTS")
    before = {n: os.environ.get(n) for n in names}
    for n in names:
        os.environ[n] = str(folder / n.split("_")[1].lower())
    try:
        yield
    finally:
        for n, v in before.items():
            if v is None:
                os.environ.pop(n, None)
            else:
                os.environ[n] = v


# ------------------------------------------------------------------------------------------------ parts


def smoke_chain(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """The smoke profile end to end on the device (tiny on a CPU), through the pipeline's stages."""
    from colorcnn_repro.experiments.pipeline import main_results
    from colorcnn_repro.profiles import resolve
    from colorcnn_repro.results import Scores

    overrides: dict[str, Any] = {}
    if args.tiny:
        overrides = {"limit_train": 64, "batch_size": 32, "bits": "[1, 2]", "limit": 20, "jpeg_qualities": "[50]",
                     "task_colors": "[2, 4]"}
    start = time.perf_counter()
    with isolated(folder / "smoke"):
        result = main_results(resolve("smoke", overrides), device=str(args.device), force=True)
    accuracies = Scores(result).map(lambda metrics: metrics["accuracy"])
    finite = all(math.isfinite(a) for per in accuracies.values() for a in per.values())
    return {"ok": finite, "seconds": time.perf_counter() - start, "overrides": overrides,
            "original": result["original"], "accuracy": accuracies}


def train_step(args: argparse.Namespace) -> dict[str, Any]:
    """benchmarks/train_step.py at the paper's width with and without bf16 (tiny on a CPU)."""
    import train_step as bench

    size = ["--width", "4", "--batch-size", "8", "--steps", "1", "--warmup", "0"] if args.tiny else \
        ["--width", "64", "--batch-size", "128", "--steps", "10", "--warmup", "3"]
    out: dict[str, Any] = {}
    for name, extra in (("fp32", []), ("bf16", ["--bf16"])):  # on a CPU bf16 is ignored (warned): same path
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="bf16_autocast applies on CUDA only")
            report = bench.main(["--device", str(args.device), "--profile-steps", "0", *size, *extra])
        out[name] = {kind: {k: report[kind][k] for k in ("images_per_s", "peak_memory_mib", "outputs_agree")
                            if k in report[kind]} for kind in bench.KINDS}
        out[name]["seconds"] = time.perf_counter() - start
    return out


def stage_data(args: argparse.Namespace, folder: Path, n: int) -> tuple[dict[str, Any], str | None, str]:
    """Overrides and data root giving ``n`` CIFAR-sized training images: CIFAR-10 itself when the data root
    has it, else a synthetic ``npz`` set of the shipped sample's images, flipped and rolled."""
    from colorcnn_repro.data import load_dataset

    try:
        with contextlib.redirect_stderr(io.StringIO()):
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # the shipped sample standing in is not CIFAR-10
                load_dataset("cifar10", "train", limit=n)
        return {"limit_train": n}, None, "cifar10"
    except Exception:  # noqa: BLE001 - any reason to fall back to synthetic data
        pass
    from colorcnn_repro.data.sample import SAMPLE_FILE

    with np.load(SAMPLE_FILE) as sample:
        images, labels = sample["images"], sample["labels"]
    total = max(math.ceil(n / 0.85) + 10, 10 * args.eval_images + 10)  # npz carves 10 % for validation
    reps = math.ceil(total / len(images))
    tiles = [np.roll(images[:, :, ::-1] if r % 2 else images, r // 2, axis=(1, 2)) for r in range(reps)]
    path = folder / "synthetic-cifar.npz"
    np.savez(path, images=np.concatenate(tiles)[:total], labels=np.tile(labels, reps)[:total])
    return {"dataset": "npz", "limit_train": n}, str(path), "synthetic (shipped sample, flipped and rolled)"


def time_classifier_steps(args: argparse.Namespace, name: str, steps: int) -> float:
    """Images/s of training steps of classifier ``name`` (batch 128 at 32 px; 4 on a CPU)."""
    from colorcnn_repro.losses import task_loss
    from colorcnn_repro.models import build_normalized_classifier
    from colorcnn_repro.profiles import get_config
    from colorcnn_repro.training.augment import classifier_augment
    from colorcnn_repro.training.loops import as_float, channels_last, descend, optimizer_and_schedule

    batch = 4 if args.tiny else 128
    dev = args.device
    torch.manual_seed(0)
    model = build_normalized_classifier(name, 10, "cifar10").to(dev, memory_format=torch.channels_last).train()
    opt, sched = optimizer_and_schedule(model, get_config("classifier", "paper").optim, 100, 1)
    images = torch.randint(0, 256, (batch, 3, 32, 32), dtype=torch.uint8, device=dev)
    labels = torch.randint(0, 10, (batch,), device=dev)
    g = torch.Generator().manual_seed(0)

    def step() -> None:
        x = channels_last(classifier_augment(as_float(images.clone()), g))
        descend(opt, sched, {"total": task_loss(model(x), labels)})

    warmup = 0 if args.tiny else 3
    for _ in range(warmup):
        step()
    sync(dev)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    sync(dev)
    return steps * batch / (time.perf_counter() - start)


def stages(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Two short epochs of each paper-profile stage (timed on the second), classifier step rates and a timed
    evaluation."""
    from colorcnn_repro.evaluation.grid import evaluate_grid
    from colorcnn_repro.models.checkpoint import load_quantizer_net
    from colorcnn_repro.profiles import get_config
    from colorcnn_repro.quantizers.learned import LearnedQuantizer
    from colorcnn_repro.store import model_file
    from colorcnn_repro.training import loops

    batch = 8 if args.tiny else 128
    n = args.steps * batch
    overrides, root, source = stage_data(args, folder, n)
    overrides.update({"epochs": 2, "classifier.epochs": 2, "batch_size": batch})
    if args.tiny:
        overrides.update({"width": 4, "task_colors": "[2, 4]"})
    out: dict[str, Any] = {"data": source, "steps_per_epoch": args.steps, "batch_size": batch, "overrides": overrides}
    dev = str(args.device)
    with isolated(folder / "stages"):
        for stage, train in (("classifier", loops.train_classifier), ("colorcnn", loops.train_colorcnn),
                             ("colorcnn+", loops.train_colorcnn_plus)):
            cfg = get_config(stage, "paper", overrides)
            sync(args.device)
            start = time.perf_counter()
            run = train(cfg, root, dev)
            sync(args.device)
            history = json.loads((run / "history.json").read_text())
            out[stage] = {"images_per_s": history[-1]["images_per_s"], "wall_s": time.perf_counter() - start,
                          "loss": history[-1]["total"]}
            if torch.cuda.is_available() and args.device.type == "cuda":
                out[stage]["peak_memory_mib"] = torch.cuda.max_memory_allocated(args.device) / 2**20
        out["classifier_steps_images_per_s"] = {c: time_classifier_steps(args, c, 2 if args.tiny else 20)
                                                for c in CLASSIFIERS}

        # evaluation: every method; the trained ColorCNN+ stands in for the ColorCNNs (same U-Net)
        exp = get_config("evaluate", "paper", {**overrides, "limit": args.eval_images})
        clf = loops.frozen_classifier(exp.classifier, device=dev)
        data = loops.load_split(exp.classifier.data, "val", root, args.eval_images)
        plus = load_quantizer_net(model_file("colorcnn+", get_config("colorcnn+", "paper", overrides)),
                                        "colorcnn+").to(args.device)
        bits = (1, 2) if args.tiny else exp.bits
        learned = {m: LearnedQuantizer.from_nets(m, {2**b: plus for b in bits}, exp.batch_size)
                   for m in ("colorcnn", "colorcnn+")}
        start = time.perf_counter()
        # on a CPU the overlap (classical quantizers in a background thread) is forced on, in this process
        evaluate_grid(clf, data, exp.methods, bits, learned, exp.batch_size,
                      **({"overlap": True, "workers": 0} if args.tiny else {}))
        sync(args.device)
        out["evaluation"] = {"images": len(data), "bits": list(bits), "methods": list(exp.methods),
                             "seconds": time.perf_counter() - start}
    return out


def estimate(measured: dict[str, Any]) -> dict[str, Any]:
    """GPU-hours of the paper profile and of Fig. 12's panels, extrapolated from :func:`stages`."""
    from colorcnn_repro.profiles import get_config

    exp = get_config("evaluate", "paper")
    epochs = {"classifier": exp.classifier.epochs, "colorcnn": exp.colorcnn.epochs * COLORCNN_MODELS,
              "colorcnn+": exp.colorcnn_plus.epochs}
    fraction = {"classifier": 1.0, "colorcnn": exp.colorcnn.train_fraction,
                "colorcnn+": exp.colorcnn_plus.train_fraction}
    clf_rate = measured["classifier_steps_images_per_s"]
    ev = measured["evaluation"]
    eval_s_per_image = ev["seconds"] / ev["images"] * len(exp.bits) / len(ev["bits"])

    def panel(dataset: str, classifier: str) -> dict[str, float]:
        n, side, n_eval = DATASETS[dataset]
        pixels = (side / 32) ** 2
        extra = max(0.0, 1 / clf_rate[classifier] - 1 / clf_rate["alexnet"])  # s per image beyond AlexNet's
        hours = {}
        for stage in epochs:
            if stage == "classifier":  # AlexNet's measured time, scaled by the step rates
                per_image = clf_rate["alexnet"] / clf_rate[classifier] / measured[stage]["images_per_s"]
            else:
                per_image = 1 / measured[stage]["images_per_s"] + extra
            hours[stage] = epochs[stage] * n * fraction[stage] * per_image * pixels / 3600
        hours["evaluate"] = n_eval * eval_s_per_image * pixels / 3600
        hours["total"] = sum(hours.values())
        return hours

    panels = {f"{d}/{c}": panel(d, c) for d in DATASETS for c in CLASSIFIERS}
    paper = panels["cifar10/alexnet"]
    return {
        "paper_profile_gpu_hours": paper,
        "fig12_grid_gpu_hours": sum(p["total"] for p in panels.values()),
        "fig12_panels_gpu_hours": {k: p["total"] for k, p in panels.items()},
        "assumptions": [
            "epochs of the paper profile: classifier 60, ColorCNN 60 for each of 6 colour counts, ColorCNN+ 300",
            "time per image from the second of two short epochs of each stage (CIFAR size, batch 128, AlexNet)",
            "other datasets: time scales with training images and with pixels, (side / 32)^2 (the U-Net and the "
            "classifiers are convolutional); train splits: " + ", ".join(f"{d} {v[0]} images of {v[1]} px"
                                                                         for d, v in DATASETS.items()),
            "other classifiers: classifier stage scaled by measured step rates; quantizer stages add the extra "
            "time per image of the classifier's training step over AlexNet's (forward and backward through it)",
            "evaluation: the timed evaluation per image and bit count, scaled to the split's evaluation images",
            "one GPU per experiment; torchrun over k GPUs divides a stage's time by at most k",
        ],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    report: dict[str, Any] = {
        "check": "device check", "device": str(args.device), "tiny_cpu_fallback": args.tiny,
        "torch": torch.__version__, "colorcnn_repro": __version__, "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    }
    if args.device.type == "cuda":
        props = torch.cuda.get_device_properties(args.device)
        report["gpu"] = {"name": props.name, "memory_gib": props.total_memory / 2**30,
                         "capability": f"{props.major}.{props.minor}", "cuda": torch.version.cuda}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="colorcnn-device-check-") as tmp:
        folder = Path(tmp)
        parts = {"smoke_chain": smoke_chain, "train_step": train_step, "stages": stages}
        for name, part in parts.items():
            if name in args.skip:
                continue
            t = time.perf_counter()
            report[name] = part(args, folder) if name != "train_step" else part(args)
            print(f"device check: {name} done in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
        if "stages" in report:
            report["estimate"] = estimate(report["stages"])
            if args.tiny:
                report["estimate"]["note"] = "CPU fallback at a tiny scale: these numbers mean nothing"
    report["seconds"] = time.perf_counter() - start
    text = json.dumps(report, indent=2)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = args.out.with_name(f"{args.out.name}.{os.getpid()}.tmp")
    tmp_out.write_text(text + "\n")
    os.replace(tmp_out, args.out)
    return report


if __name__ == "__main__":
    main()
