"""Fig. 12's grid over the GPUs of one machine, one experiment per GPU at a time.

An experiment is one panel (dataset × classifier): its whole chain (classifier → one ColorCNN per C →
ColorCNN+ → evaluation, :func:`~colorcnn_repro.experiments.pipeline.main_results`) in one process that sees one
GPU (``CUDA_VISIBLE_DEVICES``). Panels are assigned to GPUs longest first, each to the GPU with the least work
so far (work ∝ training images × pixels); a GPU given several panels runs them one after another. Runs,
caches and results are keyed by config, written atomically and guarded by file locks, so the processes never
clobber each other, and an interrupted grid picks up where it stopped when launched again.

    python -m colorcnn_repro.experiments.gpu_grid --gpus 4              # print one command line per GPU
    python -m colorcnn_repro.experiments.gpu_grid --gpus 4 --launch     # run them, wait, report exit codes
    python -m colorcnn_repro.experiments.gpu_grid --one --set dataset=stl10 --set classifier.classifier=vgg16

``--one`` runs a single experiment in this process (what each printed command runs). Imports no torch
until an experiment runs.
"""
from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

from ..paths import REPO_ROOT

DATASETS = ("cifar10", "cifar100", "stl10", "tinyimagenet")
CLASSIFIERS = ("alexnet", "vgg16", "resnet18")
#: Relative work of a panel's dataset: training images × (side / 32)².
WORK = {"cifar10": 45_000, "cifar100": 45_000, "stl10": 4_500 * 9, "tinyimagenet": 98_000 * 4}
#: Settings a panel adds before the caller's ``--set``: the paper's STL-10 batch size.
PANEL_SETTINGS = {"stl10": ("batch_size=32",)}


def panel_settings(dataset: str, classifier: str, extra: list[str]) -> list[str]:
    """The ``KEY=VALUE`` settings of one panel: dataset, classifier, the panel's own, then ``extra``."""
    return [f"dataset={dataset}", f"classifier.classifier={classifier}", *PANEL_SETTINGS.get(dataset, ()), *extra]


def plan(gpus: int, datasets: tuple[str, ...], classifiers: tuple[str, ...]) -> list[list[tuple[str, str]]]:
    """Panels per GPU: longest first, each to the least-loaded GPU."""
    if gpus < 1:
        raise ValueError(f"--gpus must be at least 1, got {gpus}")
    for d in datasets:
        if d not in WORK:
            raise ValueError(f"unknown dataset {d!r} for the grid; accepted: {', '.join(WORK)}")
    panels = sorted(((d, c) for d in datasets for c in classifiers), key=lambda p: -WORK[p[0]])
    queues: list[list[tuple[str, str]]] = [[] for _ in range(gpus)]
    load = [0] * gpus
    for panel in panels:
        g = load.index(min(load))
        queues[g].append(panel)
        load[g] += WORK[panel[0]]
    return queues


def one_command(profile: str, settings: list[str], data_root: str | None) -> list[str]:
    cmd = [sys.executable, "-m", "colorcnn_repro.experiments.gpu_grid", "--one", "--profile", profile]
    for s in settings:
        cmd += ["--set", s]
    return cmd + (["--data-root", data_root] if data_root else [])


def gpu_lines(args: argparse.Namespace) -> list[str]:
    """One shell line per GPU: its experiments in turn (a failed one does not stop the next)."""
    lines = []
    for gpu, queue in enumerate(plan(args.gpus, tuple(args.datasets), tuple(args.classifiers))):
        if not queue:
            continue
        cmds = [shlex.join(one_command(args.profile, panel_settings(d, c, args.set), args.data_root))
                for d, c in queue]
        lines.append(f"CUDA_VISIBLE_DEVICES={gpu} bash -c {shlex.quote('; '.join(cmds))}")
    return lines


def launch(lines: list[str], log_dir: Path) -> int:
    """Start every GPU's line, wait for all; logs in ``log_dir/gpu<k>.log``. Returns the number of failures."""
    log_dir.mkdir(parents=True, exist_ok=True)
    procs = []
    for line in lines:
        gpu = line.split("=", 1)[1].split()[0]
        log = open(log_dir / f"gpu{gpu}.log", "a")  # noqa: SIM115 - closed after wait
        procs.append((gpu, subprocess.Popen(line, shell=True, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT),
                      log))
        print(f"GPU {gpu}: started (log {log_dir / f'gpu{gpu}.log'})", flush=True)
    failures = 0
    for gpu, proc, log in procs:
        code = proc.wait()
        log.close()
        failures += code != 0
        print(f"GPU {gpu}: exit status {code}", flush=True)
    return failures


def run_one(args: argparse.Namespace) -> int:
    from ..profiles import resolve
    from ..results import result_path
    from .pipeline import main_results

    exp = resolve(args.profile, dict(s.split("=", 1) for s in args.set))
    main_results(exp, args.data_root)
    print(result_path(exp.results, "evaluation", exp.config))
    return 0


def key_value(text: str) -> str:
    if "=" not in text or text.startswith("="):
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return text


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m colorcnn_repro.experiments.gpu_grid",
                                description=__doc__.splitlines()[0])
    p.add_argument("--gpus", type=int, default=1, help="GPUs on this machine, numbered 0..N-1 (default 1)")
    p.add_argument("--profile", default="paper", help="profile of every experiment (default: %(default)s)")
    p.add_argument("--datasets", nargs="+", default=list(DATASETS), metavar="NAME",
                   help=f"datasets of the grid (default: {' '.join(DATASETS)})")
    p.add_argument("--classifiers", nargs="+", default=list(CLASSIFIERS), metavar="NAME",
                   help=f"classifiers of the grid (default: {' '.join(CLASSIFIERS)})")
    p.add_argument("--set", metavar="KEY=VALUE", type=key_value, action="append", default=[],
                   help="override for every experiment, as in `colorcnn --set` (repeatable)")
    p.add_argument("--data-root", help="dataset folder (default: $COLORCNN_DATA, else <repo>/data)")
    p.add_argument("--launch", action="store_true", help="run the commands instead of printing them")
    p.add_argument("--log-dir", type=Path, default=REPO_ROOT / "build" / "gpu_grid",
                   help="logs of --launch (default: <repo>/build/gpu_grid)")
    p.add_argument("--one", action="store_true", help="run one experiment (given by --set) in this process")
    args = p.parse_args(argv)
    if args.one:
        return run_one(args)
    try:
        lines = gpu_lines(args)
    except ValueError as exc:
        p.error(str(exc))
    if not args.launch:
        print("\n".join(f"{line} &" for line in lines) + "\nwait")
        return 0
    return 1 if launch(lines, args.log_dir) else 0


if __name__ == "__main__":
    sys.exit(main())
