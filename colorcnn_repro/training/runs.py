"""Run directories keyed by config, atomic checkpoints, resume, seeding and the epoch loop."""
from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any, Callable

import torch
from tqdm.auto import tqdm

from ..config import config_dict, config_key
from ..paths import ZOO_DIR, runs_root



def pick_device(name: str | None = None) -> torch.device:
    """``name`` if given, else CUDA when present, else CPU."""
    if name:
        return torch.device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def slug(stage: str) -> str:
    return stage.replace("+", "_plus")


def run_dir(stage: str, cfg) -> Path:
    """``runs/<stage>-<config key>/`` holding config.json, checkpoint.pt, model.pt, history.json."""
    path = runs_root() / f"{slug(stage)}-{config_key(cfg)}"
    path.mkdir(parents=True, exist_ok=True)
    atomic_write_json(config_dict(cfg), path / "config.json")
    return path


def zoo_path(stage: str, cfg) -> Path:
    """Where the shipped model zoo keeps the weights of ``cfg``."""
    return ZOO_DIR / f"{slug(stage)}-{config_key(cfg)}.pt"


def model_file(stage: str, cfg) -> Path | None:
    """The trained weights of ``cfg``: the run directory's, else the zoo's, else None."""
    for path in (runs_root() / f"{slug(stage)}-{config_key(cfg)}" / "model.pt", zoo_path(stage, cfg)):
        if path.exists():
            return path
    return None


def atomic_save(obj: Any, path: Path) -> None:
    """torch.save to a temporary file, then rename: a checkpoint is never half-written."""
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def atomic_write_json(obj: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp, path)


def epoch_generator(seed: int, epoch: int, device: torch.device | None = None) -> torch.Generator:
    """Seeds every random draw of an epoch from (seed, epoch), so a resumed run repeats it exactly."""
    torch.manual_seed(seed * 100_003 + epoch)
    g = torch.Generator(device="cpu")
    g.manual_seed(seed * 1_000_003 + epoch)
    return g


class NonFiniteLoss(FloatingPointError):
    pass


def run_epoch(n: int, batch_size: int, generator: torch.Generator, step: Callable[[torch.Tensor, int], dict],
              desc: str, steps: int | None = None) -> dict[str, float]:
    """One pass over a seeded permutation of ``n`` samples; ``step(indices, batch_no)`` returns loss terms.
    Shows a progress bar with the loss and images/s; stops on a non-finite loss."""
    perm = torch.randperm(n, generator=generator)
    batches = perm.split(batch_size)[: steps or None]
    sums: dict[str, float] = {}
    seen, start = 0, time.perf_counter()
    bar = tqdm(batches, desc=desc, leave=False, mininterval=2.0)
    for b, idx in enumerate(bar):
        terms = step(idx, b)
        total = float(terms["total"])
        if not math.isfinite(total):
            raise NonFiniteLoss(f"{desc}: loss became {total} at batch {b}; stopping. The last good "
                                "checkpoint (end of the previous epoch) is kept; lower the learning rate "
                                "or check the data.")
        for k, v in terms.items():
            sums[k] = sums.get(k, 0.0) + float(v) * len(idx)
        seen += len(idx)
        bar.set_postfix(loss=f"{total:.3f}", img_s=f"{seen / (time.perf_counter() - start):.0f}")
    stats = {k: v / seen for k, v in sums.items()}
    stats["images_per_s"] = seen / (time.perf_counter() - start)
    return stats


def fit(run: Path, modules: dict[str, Any], epochs: int, seed: int,
        epoch_fn: Callable[[int, torch.Generator], dict[str, float]], desc: str) -> list[dict]:
    """Train for ``epochs``, resuming from ``run/checkpoint.pt``; ``modules`` maps names to objects with
    state_dict/load_state_dict (model, optimizer, scheduler). Checkpoints atomically after every epoch."""
    ckpt_path = run / "checkpoint.pt"
    history: list[dict] = []
    start = 0
    if ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=False)
        for name, obj in modules.items():
            obj.load_state_dict(ckpt[name])
        history, start = ckpt["history"], ckpt["epoch"]
    for epoch in range(start, epochs):
        stats = epoch_fn(epoch, epoch_generator(seed, epoch))
        stats["epoch"] = epoch + 1
        history.append(stats)
        tqdm.write(f"{desc} epoch {epoch + 1}/{epochs}: " + ", ".join(f"{k}={v:.4g}" for k, v in stats.items()
                                                                      if k != "epoch"))
        state = {name: obj.state_dict() for name, obj in modules.items()}
        atomic_save({**state, "history": history, "epoch": epoch + 1}, ckpt_path)
    atomic_write_json(history, run / "history.json")
    return history
