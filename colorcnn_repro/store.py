"""Where trained models live: run folders and zoo files keyed by config, their archived training states, and the
locks that keep two processes from computing one thing twice. Below ``training/``: loading a model needs no
training code.
"""
from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from filelock import FileLock

from . import parallel
from .config import QuantizerConfig, StageConfig, config_dict, config_key
from .files import atomic_write_json
from .methods import slug
from .paths import cache_root, runs_root, zoo_root


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
    """A trained model that neither ``runs/`` nor the zoo holds: loading never trains one. ``stage`` and ``cfg``
    name it; ``hinted``: the message already says how to train it (the command line adds that otherwise,
    :func:`colorcnn_repro.zoo.commands.how_to_train`)."""

    def __init__(self, message: str, stage: str, cfg: StageConfig | QuantizerConfig, hinted: bool = False) -> None:
        super().__init__(message)
        self.stage, self.cfg, self.hinted = stage, cfg, hinted


def trained_model_file(stage: str, cfg: StageConfig | QuantizerConfig) -> Path:
    """:func:`model_file`, or a :class:`MissingModelError` naming the model and where it was looked for."""
    path = model_file(stage, cfg)
    if path is None:
        raise MissingModelError(f"no trained {stage} model {slug(stage)}-{config_key(cfg)} ({looked_for(stage, cfg)}); "
                                "loading never trains a model: train it first", stage, cfg)
    return path


def looked_for(stage: str, cfg: StageConfig | QuantizerConfig) -> str:
    """Where :func:`model_file` looks for the weights of ``cfg``, as text."""
    return f"looked for {run_path(stage, cfg) / 'model.pt'} and {zoo_path(stage, cfg)}"


def archived_checkpoint(run: Path, folder: Path) -> Path:
    """Where a long run's training state is archived in ``folder`` at each cycle end: ``<folder>/<run name>.pt``."""
    return folder / f"{run.name}.pt"
