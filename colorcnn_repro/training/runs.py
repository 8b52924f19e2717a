"""Training runs: the policy that forbids training, cycle ends, extending a run, seeding and the epoch loop. Where
runs and their archives live is :mod:`colorcnn_repro.store`.

Under torchrun (see :mod:`colorcnn_repro.parallel`) every rank runs the same epochs on its slice of each
global batch; rank 0 alone writes checkpoints and histories and holds the run's file lock.
"""
from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Callable, Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from .. import parallel, progress
from ..config import OptimConfig, QuantizerConfig, StageConfig, config_key
from ..files import atomic_write, atomic_write_json
from ..methods import slug
from ..models.checkpoint import load_checkpoint, resume_training, save_checkpoint, training_checkpoint
from ..paths import runs_root, zoo_root
from ..store import archived_checkpoint, model_file, run_dir, run_path

#: Set (to anything but empty) to forbid training: a stage whose model is missing raises
#: :class:`TrainingForbidden` instead of training it. ``colorcnn reproduce`` sets it unless ``--retrain``.
NO_TRAINING_ENV = "COLORCNN_NO_TRAINING"


class TrainingForbidden(RuntimeError):
    """A model is missing while training is forbidden (:data:`NO_TRAINING_ENV`)."""


def check_training_allowed(stage: str, cfg: StageConfig | QuantizerConfig) -> None:
    """Raise :class:`TrainingForbidden`, naming the missing model, when training is forbidden."""
    if os.environ.get(NO_TRAINING_ENV):
        raise TrainingForbidden(
            f"{stage} model {slug(stage)}-{config_key(cfg)} is neither in {runs_root()} nor in the zoo "
            f"({zoo_root()}), and training is off (${NO_TRAINING_ENV} is set, as `colorcnn reproduce` sets it); "
            "`colorcnn reproduce --train-missing` trains what is missing")


def cycle_ends(optim: OptimConfig, epochs: int) -> list[int]:
    """The epochs (counts of finished epochs, at most ``epochs``) at which a warm-restarts cycle of ``optim``
    ends, where the learning rate has decayed to 0: ``restart_epochs`` × (1, 2, 3, …), or × (1, 3, 7, 15, …)
    when each cycle doubles. Empty for one-cycle. Since neither warm-restarts schedule depends on the total
    epochs, a run's state there is that of the same config trained for that many epochs."""
    if optim.schedule == "onecycle":
        return []
    ends, length, done = [], optim.restart_epochs, 0
    while done + length <= epochs:
        done += length
        ends.append(done)
        if optim.schedule == "warm_restarts_doubling":
            length *= 2
    return ends


def extend_run(stage: str, shorter: QuantizerConfig, cfg: QuantizerConfig) -> bool:
    """Start the run of ``cfg`` from the last checkpoint of ``shorter``'s run, the same training for fewer
    epochs, so that a longer run costs only its extra epochs (the training-length study).

    The result is the one ``cfg`` gives from scratch: every epoch's data order and augmentation depend on
    (seed, epoch) alone (:func:`epoch_generator`), and a warm-restarts schedule that restarts where ``shorter``
    ends has the same state there whatever the total. Anything else raises ``ValueError``. Returns whether the
    run was seeded (False: ``cfg``'s run already has a checkpoint or its weights)."""
    if replace(shorter, epochs=cfg.epochs) != cfg or shorter.epochs >= cfg.epochs:
        raise ValueError(f"{stage}: a run can only be extended by a longer run of the same config "
                         f"(epochs {shorter.epochs} → {cfg.epochs}, other fields must be equal)")
    optim = cfg.optim
    if shorter.epochs not in cycle_ends(optim, shorter.epochs):
        raise ValueError(f"{stage}: extending {shorter.epochs} epochs is exact only with a warm_restarts schedule "
                         f"restarting at that epoch; got {optim.schedule!r} every {optim.restart_epochs} epochs")
    target = run_dir(stage, cfg)
    if (target / "checkpoint.pt").exists() or model_file(stage, cfg) is not None:
        return False
    source = run_path(stage, shorter) / "checkpoint.pt"
    if not source.exists():
        raise FileNotFoundError(f"{stage}: no checkpoint of the shorter run at {source}; train it first")
    atomic_write(target / "checkpoint.pt", lambda tmp: shutil.copyfile(source, tmp))
    return True


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
    Shows a progress bar with the loss and images/s; stops on a non-finite loss.

    Under torchrun every rank draws the same permutation and steps on its slice of each global batch, inside
    :func:`~colorcnn_repro.parallel.batch_shard`; the epoch's statistics are summed over ranks. On a GPU the
    loss of a step is read after the next step is queued (no device-to-host sync per step), so a non-finite
    loss stops the epoch one step later than on a CPU."""
    perm = torch.randperm(n, generator=generator)
    batches = perm.split(batch_size)[: steps or None]
    world = parallel.world_size()
    if world > 1 and batches:
        parallel.shard_bounds(min(len(idx) for idx in batches), 0, world)  # every global batch splits
    sums: dict[str, float] = {}
    seen: float  # images, summed over ranks as a float under torchrun
    seen, start = 0, time.perf_counter()
    bar = progress.bar(batches, show=parallel.is_main(), desc=desc, leave=False, mininterval=2.0)

    def account(b: int, terms: dict, count: int) -> None:
        nonlocal seen
        if terms["total"].device.type == "cpu":
            values = {k: float(v) for k, v in terms.items()}
        else:  # one device-to-host copy for all terms
            values = dict(zip(terms, torch.stack([v.detach().float() for v in terms.values()]).tolist()))
        total = values["total"]
        if not math.isfinite(total):
            raise NonFiniteLoss(f"{desc}: loss became {total} at batch {b}; stopping. The last good "
                                "checkpoint (end of the previous epoch) is kept; lower the learning rate "
                                "or check the data.")
        for k, v in values.items():
            sums[k] = sums.get(k, 0.0) + v * count
        seen += count
        bar.set_postfix(loss=f"{total:.3f}", img_s=f"{seen / (time.perf_counter() - start):.0f}")

    pending: tuple[int, dict, int] | None = None
    for b, idx in enumerate(bar):
        if world > 1:
            with parallel.batch_shard(len(idx)) as shard:
                terms = step(idx[shard.lo:shard.hi], b)
            count = shard.size
        else:
            terms, count = step(idx, b), len(idx)
        if terms["total"].device.type == "cpu":
            account(b, terms, count)
        else:
            if pending is not None:
                account(*pending)
            pending = (b, terms, count)
    if pending is not None:
        account(*pending)
    if world > 1:
        keys = list(sums)
        *totals, seen = parallel.all_reduce_sum([sums[k] for k in keys] + [float(seen)])
        sums = dict(zip(keys, totals))
    seconds = time.perf_counter() - start
    stats = {k: v / seen for k, v in sums.items()}
    stats.update(images=float(seen), seconds=seconds, images_per_s=seen / seconds)
    return stats


def fit(run: Path, modules: dict[str, Any], epochs: int, seed: int,
        epoch_fn: Callable[[int, torch.Generator], dict[str, float]], desc: str, *, until: int | None = None,
        ends: Collection[int] = (), at_cycle_end: Callable[[int, list[dict]], None] | None = None,
        archive: Path | None = None) -> list[dict]:
    """Train for ``epochs`` (or stop after ``until`` of them), resuming from ``run/checkpoint.pt``; ``modules``
    maps names to objects with state_dict/load_state_dict (model, optimizer, scheduler). Checkpoints
    atomically after every epoch (rank 0 under torchrun; every rank resumes from that file, so several machines
    need a shared ``runs/``). After each epoch in ``ends`` (cycle ends), ``at_cycle_end(epoch, history)`` runs
    and, given an ``archive`` folder, the checkpoint is also copied there (:func:`archived_checkpoint`; git tracks
    it), which a run without a checkpoint of its own resumes from: a run longer than a session goes on in the next
    one.
    The checkpoint holds the modules, the history and the epoch; the random state needs no saving, as every
    epoch reseeds from (seed, epoch) (:func:`epoch_generator`)."""
    ckpt_path = run / "checkpoint.pt"
    history: list[dict] = []
    start = 0
    source = ckpt_path if ckpt_path.exists() or archive is None else archived_checkpoint(run, archive)
    if parallel.agree(source.exists()):
        history, start = resume_training(load_checkpoint(source), modules)
    for epoch in range(start, min(epochs, until or epochs)):
        stats = epoch_fn(epoch, epoch_generator(seed, epoch))
        stats["epoch"] = epoch + 1
        history.append(stats)
        if parallel.is_main():
            progress.write(f"{desc} epoch {epoch + 1}/{epochs}: "
                           + ", ".join(f"{k}={v:.4g}" for k, v in stats.items() if k != "epoch"))
            save_checkpoint(training_checkpoint(modules, history, epoch + 1), ckpt_path)
            if epoch + 1 in ends:
                if at_cycle_end is not None:
                    at_cycle_end(epoch + 1, history)
                if archive is not None:
                    target = archived_checkpoint(run, archive)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    atomic_write(target, lambda tmp: shutil.copyfile(ckpt_path, tmp))
        parallel.barrier()
    if parallel.is_main():
        atomic_write_json(history, run / "history.json")
    return history
