"""Atomic file writes: a temporary file beside the target, then ``os.replace``.

Readers see the old file or the new one, never half of one. Ground floor: imports nothing from the package
and not torch (checkpoints are written by :func:`colorcnn_repro.models.checkpoint.save_checkpoint` through
:func:`atomic_write`).
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

PathLike = str | os.PathLike[str]


def atomic_write(path: PathLike, write: Callable[[Path], object]) -> None:
    """``write`` a temporary file of this process beside ``path`` (removed if writing fails), then rename it
    onto ``path``; concurrent writers of the same path do not share a temporary file."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(data: bytes, path: PathLike) -> None:
    """Write ``data`` to ``path`` atomically, creating its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_json(obj: Any, path: PathLike, **dumps: Any) -> None:
    """Write ``obj`` as indented JSON (UTF-8, keys sorted, non-JSON values as ``str``) to ``path`` atomically,
    creating its folder; ``dumps`` overrides :func:`json.dumps` options (e.g. ``sort_keys=False``)."""
    text = json.dumps(obj, **{"indent": 2, "sort_keys": True, "default": str, **dumps}) + "\n"
    atomic_write_bytes(text.encode("utf-8"), path)
