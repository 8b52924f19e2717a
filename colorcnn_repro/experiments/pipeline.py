"""Stages of the reproduction (classifier → ColorCNN per C → ColorCNN+ → evaluation), each writing JSON
under ``results/<profile>/`` and computing only what is missing unless forced. CLI commands and notebooks
both call these functions."""
from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import PIL
import torch
import torchvision

from .. import __version__, parallel, results
from ..config import ExperimentConfig, QuantizerConfig, config_dict, config_key
from ..data import ImageArrays
from ..evaluation.grid import evaluate_grid, evaluate_jpeg, predict, score
from ..files import atomic_write_json
from ..methods import LEARNED, learned
from ..models import ColorQuantizerNet, NormalizedClassifier
from ..models.checkpoint import load_checkpoint, load_quantizer_net
from ..paths import DataRoot, cache_root
from ..profiles import Experiment, resolve
from ..quantizers import Quantizer, check_method
from ..quantizers.external import ExternalQuantizer, is_external
from ..quantizers.learned import LearnedQuantizer
from ..results import classifier_accuracy, read_result, result_path
from ..store import file_lock, model_file
from ..training import trainer
from ..training.loops import ensure_classifier, frozen_classifier, load_split
from ..training.targets import images_digest


def versions() -> dict[str, str]:
    return {"colorcnn_repro": __version__, "torch": torch.__version__, "torchvision": torchvision.__version__,
            "Pillow": PIL.__version__, "numpy": np.__version__, "python": platform.python_version()}


def machine() -> dict[str, str | int | None]:
    """The processor a result was computed on: torch's CPU kernel level (AVX2, AVX512, …; the speed of one
    training differs several-fold between levels) and the cores this process may use."""
    return {"cpu_capability": torch.backends.cpu.get_cpu_capability(), "cores": len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity") else os.cpu_count()}


def write_result(path: Path, profile: str, cfg: Any, body: dict[str, Any], computed: bool = True) -> dict:
    """The result JSON of a stage with its config and versions, written atomically (by rank 0 alone under
    torchrun); with the device and machine that computed it unless ``computed`` is false (a study that gathers
    other results, each of which names its own machine)."""
    where = {"device": str(parallel.pick_device()), "machine": machine()} if computed else {}
    return results.write_result(path, {"profile": profile, "config": config_dict(cfg), "config_key": config_key(cfg),
                                       "versions": versions(), **where, **body},
                                write=parallel.is_main())


def classifier_stage(exp: Experiment, root: DataRoot = None, device: str | None = None, force: bool = False) -> dict:
    """Train (or load) the classifier and record its accuracy on original images (Table 1)."""
    cfg = exp.config.classifier
    path = result_path(exp.results, "classifier", cfg)
    if (hit := read_result(path, force)) is not None:
        return hit
    clf = ensure_classifier(cfg, root, device)
    data = load_split(cfg.data, exp.config.split, root, exp.config.limit)
    _, metrics = score(predict(clf, data.images), data)
    weights = model_file("classifier", cfg)
    assert weights is not None  # ensure_classifier trained it if need be
    history = load_checkpoint(weights).get("history")
    if history is None and (weights.parent / "history.json").exists():
        history = json.loads((weights.parent / "history.json").read_text())
    return write_result(path, exp.profile, cfg, {"data": data.describe(), "metrics": metrics, "history": history})


def classifier_accuracies(profile: str, pairs: Sequence[tuple[str, str]], overrides: Mapping | None = None,
                          train_missing: bool = False) -> dict[tuple[str, str], float]:
    """``{(dataset, classifier): accuracy on original images}`` at ``profile`` (with ``overrides``) for those of
    ``pairs`` with a cached result (Table 1), or for all of them, trained first where missing, when
    ``train_missing``."""
    out = {}
    for d, c in pairs:
        exp = resolve(profile, {**(overrides or {}), "dataset": d, "classifier.classifier": c})
        if train_missing or result_path(exp.results, "classifier", exp.config.classifier).exists():
            out[d, c] = classifier_accuracy(classifier_stage(exp))
    return out


def learned_stage(exp: Experiment, method: str, root: DataRoot = None, device: str | None = None,
                  bits: tuple[int, ...] | None = None) -> list[Path]:
    """Train the learned ``method``'s networks that serve C = 2**bits (default: the experiment's bits): one per C
    (ColorCNN), or the one that serves every C (ColorCNN+), each skipped when its run exists. Returns their run
    folders, one per network."""
    configs = learned(method).configs(exp.config, exp.config.bits if bits is None else bits)
    return [trainer(method)(cfg, root, device) for cfg in dict.fromkeys(configs.values())]


def learned_configs(cfg: ExperimentConfig, methods: tuple[str, ...]) -> dict[str, dict[int, QuantizerConfig]]:
    """{method: {C: training config}} of the learned methods among ``methods`` at the config's bits."""
    return {m: LEARNED[m].configs(cfg, cfg.bits) for m in methods if m in LEARNED}


def trained_quantizers(cfg: ExperimentConfig, methods: tuple[str, ...], root: DataRoot = None,
                       device: str | None = None) -> dict[str, LearnedQuantizer]:
    """{method: quantizer} for the learned methods of an evaluation config, its networks from runs or the zoo;
    a model that neither holds is trained first, as its stage would (a fresh clone may hold a committed result
    but no run). One net is loaded once, whatever the number of colour counts it serves."""
    dev = parallel.pick_device(device)
    loaded: dict[str, ColorQuantizerNet] = {}

    def net(stage: str, sub: QuantizerConfig) -> ColorQuantizerNet:
        if model_file(stage, sub) is None:
            trainer(stage)(sub, root, device)
        key = config_key(sub)
        if key not in loaded:
            path = model_file(stage, sub)
            assert path is not None  # trained above
            loaded[key] = load_quantizer_net(path, stage).to(dev)
        return loaded[key]

    return {m: LearnedQuantizer.from_nets(m, {c: net(m, sub) for c, sub in per.items()}, cfg.batch_size)
            for m, per in learned_configs(cfg, methods).items()}


def history_time(history: Sequence[Mapping] | None, images_per_epoch: int | None = None) -> dict[str, float] | None:
    """``{epochs, images, seconds}`` summed over a training history: each epoch's recorded ``seconds``, or, for
    epochs recorded with their throughput alone (a classifier trained before the pipeline kept seconds),
    ``images_per_epoch / images_per_s``, with ``"seconds_from": "images_per_s"``. None when a history is
    missing or records neither."""
    if not history:
        return None
    if all("seconds" in h and "images" in h for h in history):
        return {"epochs": len(history), "images": sum(h["images"] for h in history),
                "seconds": sum(h["seconds"] for h in history)}
    if images_per_epoch is not None and all("images_per_s" in h for h in history):
        return {"epochs": len(history), "images": float(images_per_epoch * len(history)),
                "seconds": sum(images_per_epoch / h["images_per_s"] for h in history), "seconds_from": "images_per_s"}
    return None


def training_record(cfg: ExperimentConfig, methods: tuple[str, ...], root: DataRoot = None
                    ) -> dict[str, dict[str, dict[str, float]]]:
    """{method: {C: {epochs, images, seconds}}}: the training behind each learned model, summed over its
    history, and ``{"classifier": {"all": ...}}`` for the classifier (a classifier history that kept throughput
    but not seconds is timed from its training split's size, read from ``root``; see :func:`history_time`).
    Models saved without a history, such as older zoo entries, are left out."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    path = model_file("classifier", cfg.classifier)
    history = load_checkpoint(path).get("history") if path is not None else None
    if history and not all("seconds" in h for h in history):
        classifier = history_time(history, len(load_split(cfg.classifier.data, "train", root)))
    else:
        classifier = history_time(history)
    if classifier:
        out["classifier"] = {"all": classifier}
    timed: dict[Path, dict[str, float] | None] = {}  # ColorCNN+ serves every C from one file: read it once
    for m, per in learned_configs(cfg, methods).items():
        for c, sub in per.items():
            if (path := model_file(m, sub)) is None:
                continue
            if path not in timed:
                timed[path] = history_time(load_checkpoint(path).get("history"))
            if t := timed[path]:
                out.setdefault(m, {})[str(c)] = t
    return out


def evaluation_stage(exp: Experiment, root: DataRoot = None, device: str | None = None, force: bool = False,
                     npz: str | None = None) -> dict:
    """Accuracy vs colour-space size for every method, colours used, bpp, significance, JPEG reference.

    ``npz``: evaluate on any .npz with ``images`` (N,H,W,3 uint8) and ``labels`` (N,) in the classifier's
    classes instead; its results are keyed by the file's content (:func:`evaluation_name`). Two processes
    asking for the same evaluation compute it once (file lock). Runs in one process (not under torchrun)."""
    path = result_path(exp.results, evaluation_name(npz), exp.config)
    if (hit := read_result(path, force)) is not None:
        return hit
    with file_lock(path):
        if not force and (hit := read_result(path)) is not None:
            return hit
        return _evaluate(exp.profile, exp.config, path, root, device, npz)


def _evaluate(profile: str, cfg: ExperimentConfig, path: Path, root, device, npz: str | None) -> dict:
    for m in cfg.methods:  # an unknown name stops before any work; a user's quantizer is loaded first
        if m not in LEARNED and not is_external(m):
            check_method(m)
    external = {m: ExternalQuantizer(m) for m in cfg.methods if is_external(m)}
    clf = frozen_classifier(cfg.classifier, device=device)
    if npz is None:
        data = load_split(cfg.classifier.data, cfg.split, root, cfg.limit)
    else:
        from ..data import load_dataset
        data = load_dataset("npz", "test", npz)
        check_labels(data.labels, predict(clf, data.images[:1]).shape[1], npz)
    learned = tuple(m for m in cfg.methods if m in LEARNED)
    quantizers: dict[str, Quantizer] = {**trained_quantizers(cfg, learned, root, device), **external}
    start = time.perf_counter()
    cache = cache_root() / "classical" / f"{scores_key(clf, data)}"
    body = {"data": data.describe(),
            **evaluate_grid(clf, data, cfg.methods, cfg.bits, quantizers, cfg.batch_size, cache=cache),
            "jpeg": jpeg_curve(cfg, clf, data)}
    body.update(training=training_record(cfg, learned, root), seconds=time.perf_counter() - start)
    return write_result(path, profile, cfg, body)


def evaluation_name(npz: str | Path | None) -> str:
    """The results name of an evaluation: ``evaluation``, or ``evaluation-<stem>-<digest>`` for an .npz, the
    digest (SHA-256 of the file's bytes) keeping a changed file from reusing another's results."""
    if npz is None:
        return "evaluation"
    path = Path(npz)
    if not path.is_file():
        raise FileNotFoundError(f"no .npz file at {path}")
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return f"evaluation-{path.stem}-{digest.hexdigest()[:10]}"


def check_labels(labels: np.ndarray, num_classes: int, source: str | Path) -> None:
    """Refuse labels outside the classifier's classes ``0..num_classes-1`` (ValueError naming the first)."""
    bad = labels[(labels < 0) | (labels >= num_classes)]
    if bad.size:
        raise ValueError(f"{source}: label {bad[0]} is not one of the classifier's {num_classes} classes "
                         f"({bad.size} of {labels.size} labels are out of range); accepted: 0..{num_classes - 1}")


def scores_key(clf: NormalizedClassifier, data: ImageArrays) -> str:
    """What names the cached scores of a classifier on an evaluation's images: the digests of its weights (two
    trainings of one config differ in them), of the images and of the labels."""
    weights = hashlib.sha256()
    for tensor in clf.state_dict().values():
        weights.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return weights.hexdigest()[:16] + images_digest(data.images) + images_digest(np.asarray(data.labels))


def jpeg_curve(cfg: ExperimentConfig, clf: NormalizedClassifier, data: ImageArrays) -> list[dict]:
    """:func:`~colorcnn_repro.evaluation.grid.evaluate_jpeg` at ``cfg.jpeg_qualities``, each point cached under
    ``<cache>/jpeg/`` by classifier weights, images and labels (:func:`scores_key`): it depends on neither the
    quantizers nor the methods, so the variants of a study share it."""
    curve, key = [], scores_key(clf, data)
    for q in cfg.jpeg_qualities:
        path = cache_root() / "jpeg" / f"{key}-q{q}.json"
        if not path.exists():
            atomic_write_json(evaluate_jpeg(clf, data, (q,), cfg.batch_size)[0], path)
        curve.append(json.loads(path.read_text()))
    return curve


def main_results(exp: Experiment, root: DataRoot = None, device: str | None = None, force: bool = False) -> dict:
    """Every stage of the main experiment in order (each skipped when its output exists): the evaluation
    JSON behind Table 1, Fig. 12 and Fig. 16. An existing evaluation JSON is returned as it is (unless
    ``force``), without checking for or retraining the models behind it: a fresh clone reuses committed
    results although its ``runs/`` folder is empty. Only the models that neither ``runs/`` nor the zoo holds
    are trained."""
    if (hit := read_result(result_path(exp.results, "evaluation", exp.config), force)) is not None:
        return hit
    classifier_stage(exp, root, device)
    # a model that runs/ or the zoo holds is not trained again (the zoo holds models whose runs are gone)
    for m, per in learned_configs(exp.config, exp.config.methods).items():
        if missing := [c for c, sub in per.items() if model_file(m, sub) is None]:
            learned_stage(exp, m, root, device, tuple(c.bit_length() - 1 for c in missing))
    return evaluation_stage(exp, root, device, force)
