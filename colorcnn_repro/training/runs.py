"""Run directories keyed by config, atomic checkpoints, file locks, resume, seeding and the epoch loop.

Under torchrun (see :mod:`colorcnn_repro.parallel`) every rank runs the same epochs on its slice of each
global batch; rank 0 alone writes checkpoints and histories and holds the run's file lock.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import shlex
import shutil
import time
from collections.abc import Callable, Collection
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch
from filelock import FileLock

from .. import parallel, progress
from ..config import SECTIONS, TRAINABLE_COLORS, OptimConfig, QuantizerConfig, StageConfig, config_dict, config_key
from ..files import atomic_write, atomic_write_json
from ..models.checkpoint import load_checkpoint, resume_training, save_checkpoint, training_checkpoint
from ..paths import cache_root, runs_root, zoo_root
from ..profiles import PROFILES, get_config


def file_lock(path: Path, every_rank: bool = False) -> AbstractContextManager:
    """An inter-process lock guarding ``path`` (a run folder, a cached or a results file) on this machine, so
    that two processes asking for the same thing compute it once: the second waits, then finds it done. A
    run folder's lock file is ``<run>/.lock``; other paths lock ``<cache>/locks/<name>-<hash>.lock`` (no lock
    files beside results). Under torchrun only rank 0 locks (the other ranks follow it through collectives),
    unless ``every_rank`` (for work without collectives inside, such as a cache entry). Locks are released
    when their process dies."""
    if not (every_rank or parallel.is_main()):
        return nullcontext()
    if path.is_dir():
        lock = path / ".lock"
    else:
        digest = hashlib.sha1(str(path.absolute()).encode()).hexdigest()[:12]
        lock = cache_root() / "locks" / f"{path.name}-{digest}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(lock))


def slug(stage: str) -> str:
    return stage.replace("+", "_plus")


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


def run_path(stage: str, cfg: StageConfig | QuantizerConfig) -> Path:
    """``runs/<stage>-<config key>/``, not created."""
    return runs_root() / f"{slug(stage)}-{config_key(cfg)}"


def run_dir(stage: str, cfg: StageConfig | QuantizerConfig) -> Path:
    """:func:`run_path`, created, holding config.json, checkpoint.pt, model.pt, history.json."""
    path = run_path(stage, cfg)
    path.mkdir(parents=True, exist_ok=True)
    atomic_write_json(config_dict(cfg), path / "config.json")
    return path


def zoo_path(stage: str, cfg: StageConfig | QuantizerConfig) -> Path:
    """Where the shipped model zoo keeps the weights of ``cfg``."""
    return zoo_root() / f"{slug(stage)}-{config_key(cfg)}.pt"


def model_file(stage: str, cfg: StageConfig | QuantizerConfig) -> Path | None:
    """The trained weights of ``cfg``: the run directory's, else the zoo's, else None."""
    for path in (run_path(stage, cfg) / "model.pt", zoo_path(stage, cfg)):
        if path.exists():
            return path
    return None


class MissingModelError(FileNotFoundError):
    """A trained model that neither ``runs/`` nor the zoo holds: loading never trains one."""


def trained_model_file(stage: str, cfg: StageConfig | QuantizerConfig) -> Path:
    """:func:`model_file`, or a :class:`MissingModelError` naming the model, where it was looked for and the
    command that trains it."""
    path = model_file(stage, cfg)
    if path is None:
        raise MissingModelError(f"no trained {stage} model {slug(stage)}-{config_key(cfg)} "
                                f"({looked_for(stage, cfg)}); loading never trains a model: train it first with "
                                f"{how_to_train(stage, cfg)}")
    return path


def looked_for(stage: str, cfg: StageConfig | QuantizerConfig) -> str:
    """Where :func:`model_file` looks for the weights of ``cfg``, as text."""
    return f"looked for {run_path(stage, cfg) / 'model.pt'} and {zoo_path(stage, cfg)}"


def _flat(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested config dict as ``{dotted key: value}``."""
    out: dict[str, Any] = {}
    for k, v in config.items():
        out.update(_flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v})
    return out


def _set_key(stage: str, field: str) -> str:
    """The experiment's ``--set`` key of ``field`` (dotted) of a ``stage`` config: the dataset as the plain
    ``dataset``, a quantizer's classifier fields as the experiment's ``classifier.…`` (it trains against it)."""
    if field in ("data.dataset", "classifier.data.dataset"):
        return "dataset"
    if stage != "classifier" and field.startswith("classifier."):
        return field
    return f"{SECTIONS[stage]}.{field}"


def _set_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def train_command(stage: str, cfg: StageConfig | QuantizerConfig) -> str | None:
    """The ``colorcnn`` command line that trains ``cfg``: the ``--profile`` closest to it and a ``--set`` for each
    field that differs (``--colors`` for a ColorCNN's colour count), checked to give ``cfg``; None when no command
    line does (a ColorCNN for a C other than :data:`TRAINABLE_COLORS`)."""
    want, key = _flat(config_dict(cfg)), config_key(cfg)
    colors = want.pop("colors") if stage == "colorcnn" else None
    if colors is not None and colors not in TRAINABLE_COLORS:
        return None
    given = {"colors": colors} if colors is not None else {}
    best: tuple[str, dict[str, Any]] | None = None
    for profile in PROFILES:
        base = _flat(config_dict(get_config(stage, profile, given)))
        sets = {_set_key(stage, k): v for k, v in sorted(want.items()) if base.get(k) != v}
        try:
            gives = config_key(get_config(stage, profile, {**sets, **given})) == key
        except ValueError:  # a value --set cannot express
            continue
        if gives and (best is None or len(sets) < len(best[1])):
            best = profile, sets
    if best is None:
        return None
    profile, sets = best
    bits = f" --colors {colors}" if colors is not None else ""
    options = "".join(f" --set {shlex.quote(f'{k}={_set_value(v)}')}" for k, v in sets.items())
    return f"colorcnn train-{slug(stage).replace('_', '-')} --profile {profile}{bits}{options}"


def how_to_train(stage: str, cfg: StageConfig | QuantizerConfig) -> str:
    """:func:`train_command` in backquotes, else the Python call that trains ``cfg``."""
    command = train_command(stage, cfg)
    return (f"`{command}`" if command else
            f"`colorcnn_repro.training.train_{slug(stage)}(cfg)` (no `colorcnn` command line gives this config)")


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


def archived_checkpoint(run: Path, folder: Path) -> Path:
    """Where a long run's training state is archived in ``folder`` at each cycle end: ``<folder>/<run name>.pt``."""
    return folder / f"{run.name}.pt"


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
    source = runs_root() / f"{slug(stage)}-{config_key(shorter)}" / "checkpoint.pt"
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
