"""Every kind of checkpoint, saved and loaded in one place.

Three kinds of file, all plain dicts of tensors and plain data:

* a classifier (``model.pt`` of a classifier run, ``zoo/classifier-*.pt``): ``kind="classifier"``, ``name``,
  ``num_classes``, ``dataset``, ``multilabel``, ``state_dict`` and, when trained here, ``history``;
* a ColorCNN or ColorCNN+ (``kind`` "colorcnn" / "colorcnn+"): ``config`` (constructor arguments) and
  ``state_dict``;
* a training checkpoint (``checkpoint.pt`` of a run, rewritten after every epoch): one state dict per
  trained object (model, optimizer, scheduler), ``history`` and ``epoch``.

Files are read with ``torch.load(map_location="cpu", weights_only=True)`` only: a checkpoint cannot run
code when loaded. Optimizer and scheduler state dicts (SGD, Adam, OneCycleLR, CosineAnnealingWarmRestarts)
hold only tensors, numbers, strings, lists and dicts, so no safe globals are registered. Files are written
atomically (:func:`colorcnn_repro.files.atomic_write`).
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, cast

import torch

from ..files import PathLike, atomic_write
from ..methods import CLASSIFIER
from .classifiers import NormalizedClassifier, build_normalized_classifier
from .colorcnn import QUANTIZER_NETS, ColorQuantizerNet


class Stateful(Protocol):
    def state_dict(self) -> dict: ...

    def load_state_dict(self, state: dict) -> Any: ...


# ---------------------------------------------------------------- files

def save_checkpoint(obj: Any, path: PathLike) -> None:
    """``torch.save`` to a temporary file, then rename: a checkpoint is never half-written."""
    atomic_write(path, lambda tmp: torch.save(obj, tmp))


def load_checkpoint(path: PathLike) -> Any:
    """The contents of a checkpoint file, on the CPU, read with ``weights_only=True`` (tensors and plain data
    only). FileNotFoundError when there is no such file, ValueError naming the file when torch cannot read
    it that way."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no trained model at {path} (no such file); train it first (colorcnn train-…) "
                                "or use the zoo")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises pickle, runtime and zip errors for files it cannot read
        reason = str(exc).split(". ")[0]
        raise ValueError(f"{path} is not a checkpoint torch.load(weights_only=True) can read: {reason}") from exc


def _kind(ckpt: Any) -> str | None:
    return ckpt.get("kind") if isinstance(ckpt, dict) else None


# ---------------------------------------------------------------- classifiers

def classifier_checkpoint(model: NormalizedClassifier, name: str, num_classes: int, dataset: str,
                          history: list[dict] | None = None) -> dict:
    """What a checkpoint stores to rebuild a classifier built by ``build_normalized_classifier(name,
    num_classes, dataset, model.multilabel)``: those arguments, its weights and its training history."""
    ckpt = {"kind": CLASSIFIER, "name": name, "num_classes": num_classes, "dataset": dataset,
            "multilabel": model.multilabel, "state_dict": model.state_dict()}
    return ckpt if history is None else {**ckpt, "history": history}


def classifier_from_checkpoint(ckpt: dict) -> NormalizedClassifier:
    """Rebuild a classifier from :func:`classifier_checkpoint`, in eval mode."""
    if _kind(ckpt) != CLASSIFIER:
        raise ValueError(f"not a classifier checkpoint (kind={_kind(ckpt)!r}); accepted kind: {CLASSIFIER!r}")
    model = build_normalized_classifier(ckpt["name"], ckpt["num_classes"], ckpt["dataset"], ckpt["multilabel"])
    model.load_state_dict(ckpt["state_dict"])
    return model.eval()


# ---------------------------------------------------------------- ColorCNN / ColorCNN+

def quantizer_checkpoint(model: ColorQuantizerNet) -> dict:
    """What a checkpoint stores to rebuild ``model``: its kind, its constructor config and its weights."""
    kind = next((k for k, cls in QUANTIZER_NETS.items() if type(model) is cls), None)
    if kind is None:
        raise TypeError(f"cannot checkpoint a {type(model).__name__}; accepted: "
                        f"{', '.join(cls.__name__ for cls in QUANTIZER_NETS.values())}")
    return {"kind": kind, "config": dict(model.config), "state_dict": model.state_dict()}


def quantizer_from_checkpoint(ckpt: dict, expect: str | None = None) -> ColorQuantizerNet:
    """Rebuild a ColorCNN / ColorCNN+ from :func:`quantizer_checkpoint`, in eval mode; clear errors on
    mismatch (``expect``: the kind the caller needs, None for either)."""
    kind = _kind(ckpt)
    if kind not in QUANTIZER_NETS:
        raise ValueError(f"not a ColorCNN/ColorCNN+ checkpoint (kind={kind!r}); accepted kinds: "
                         f"{', '.join(QUANTIZER_NETS)}")
    if expect is not None and kind != expect:
        raise ValueError(f"checkpoint holds a {kind!r} model but {expect!r} was requested")
    model = QUANTIZER_NETS[kind](**ckpt["config"])
    model.load_state_dict(ckpt["state_dict"])
    return model.eval()


# ---------------------------------------------------------------- model files

def load_classifier(path: PathLike) -> NormalizedClassifier:
    """The classifier saved at ``path``, in eval mode on the CPU."""
    return cast(NormalizedClassifier, load_model(path, CLASSIFIER))


def load_quantizer_net(path: PathLike, expect: str | None = None) -> ColorQuantizerNet:
    """The ColorCNN / ColorCNN+ saved at ``path`` (``expect``: "colorcnn", "colorcnn+" or None for either),
    in eval mode on the CPU."""
    ckpt = load_checkpoint(path)
    try:
        return quantizer_from_checkpoint(ckpt, expect)
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


def load_model(path: PathLike, kind: str) -> NormalizedClassifier | ColorQuantizerNet:
    """The model of ``kind`` (``"classifier"`` or a key of :data:`~.colorcnn.QUANTIZER_NETS`) saved at ``path``, in
    eval mode on the CPU; errors name the file."""
    if kind != CLASSIFIER and kind not in QUANTIZER_NETS:
        raise ValueError(f"unknown model kind {kind!r}; accepted: {', '.join((CLASSIFIER, *QUANTIZER_NETS))}")
    if kind != CLASSIFIER:
        return load_quantizer_net(path, kind)
    ckpt = load_checkpoint(path)
    try:
        return classifier_from_checkpoint(ckpt)
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


# ---------------------------------------------------------------- training checkpoints

def training_checkpoint(modules: Mapping[str, Stateful], history: list[dict], epoch: int) -> dict:
    """A resumable training state: ``modules``' state dicts (by name), the history so far and the number of
    finished epochs."""
    reserved = {"history", "epoch"} & set(modules)
    if reserved:
        raise ValueError(f"module names {sorted(reserved)} clash with the checkpoint's own keys "
                         "('history', 'epoch')")
    return {**{name: obj.state_dict() for name, obj in modules.items()}, "history": history, "epoch": epoch}


def resume_training(ckpt: dict, modules: Mapping[str, Stateful]) -> tuple[list[dict], int]:
    """Load a :func:`training_checkpoint` into ``modules``; returns ``(history, finished epochs)``."""
    missing = [key for key in (*modules, "history", "epoch") if not isinstance(ckpt, dict) or key not in ckpt]
    if missing:
        raise ValueError(f"not a training checkpoint of {', '.join(modules)}: missing {', '.join(missing)}")
    for name, obj in modules.items():
        obj.load_state_dict(ckpt[name])
    return ckpt["history"], ckpt["epoch"]

