"""The example images figures show (Figs. 3/11, 13–15, train-time vs test-time output), computed here once and
kept beside their result as ``.npz`` (:func:`colorcnn_repro.results.write_examples`), so that ``report/`` only
reads them. A request with other parameters than those stored recomputes them, from the models of the result's
runs (or the zoo's); where a model is missing and training is off, nothing is drawn and the reason is said."""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from ..data import ImageArrays
from ..imitation_schedule import SCHEDULES
from ..methods import LEARNED
from ..names import METHOD_NAMES
from ..paths import DataRoot
from ..profiles import Experiment, get_config
from ..quantized import Quantized
from ..quantizers import Quantizer, quantizers_for
from ..quantizers.learned import LearnedQuantizer
from ..results import Examples, examples_path, longest_rows, read_examples, write_examples
from ..training.loops import load_split
from ..training.runs import TrainingForbidden
from .compute_curve import longest_weights
from .pipeline import trained_quantizers


def first_images(data: ImageArrays, n: int) -> tuple[np.ndarray, list[str]]:
    """The first ``n`` images of ``data`` and their names (``index: class``; the index for multi-label data)."""
    names = [f"{i}: {data.classes[int(data.labels[i])]}" if not data.multilabel else str(i)
             for i in range(min(n, len(data)))]
    return data.images[:len(names)], names


def _quantized(images: np.ndarray, method: str, bits: int, learned: Mapping[str, Quantizer]) -> list[Quantized]:
    qs = quantizers_for((method,), learned)[method].quantize_set(images, 2**bits)
    return [qs[i] for i in range(len(qs))]


def soft_and_hard(images: np.ndarray, learned: Mapping[str, LearnedQuantizer], colors: int) -> dict[str, np.ndarray]:
    """``{label: uint8 images}``: each learned net's train-time (soft, Eq. 4) and test-time (hard) output."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float().div(255)
    outputs = {}
    with torch.no_grad():
        for m, quantizer in learned.items():
            net = quantizer.net_for(colors)
            xd = x.to(next(net.parameters()).device)
            for label, hard in (("train-time (soft)", False), ("test-time", True)):
                out = net(xd, colors, hard=hard).image.clamp(0, 1).permute(0, 2, 3, 1).cpu().numpy()
                outputs[f"{METHOD_NAMES[m]} {label}"] = (out * 255).round().astype(np.uint8)
    return outputs


def main_examples(exp: Experiment, result: Mapping, n: int, methods: Sequence[str], bits: Sequence[int],
                  soft_bits: int, root: DataRoot = None, device: str | None = None,
                  force: bool = False) -> Examples:
    """The first ``n`` evaluation images of the main experiment (whose evaluation is ``result``) by each of
    ``methods`` at each of ``bits`` (curves ``"<method> <bits>"``), and the learned methods' train-time and
    test-time outputs at ``2**soft_bits`` colours; learned methods the experiment does not train are left out."""
    cfg = exp.config
    learned = tuple(m for m in LEARNED if m in cfg.methods and (m in methods or soft_bits))
    methods = [m for m in methods if m not in LEARNED or m in learned]
    params = {"n": n, "methods": list(methods), "bits": list(bits), "soft_bits": soft_bits}
    path = examples_path(result["result_file"])
    if not force and (hit := read_examples(path)) is not None and hit.params == params:
        return hit
    images, names = first_images(load_split(cfg.classifier.data, cfg.split, root, cfg.limit), n)
    quantizers = trained_quantizers(cfg, learned, root, device)
    quantized = {f"{m} {b}": _quantized(images, m, b, quantizers) for m in methods for b in bits}
    return write_examples(path, images, names, quantized, soft_and_hard(images, quantizers, 2**soft_bits), params)


def longest_examples(exp: Experiment, curve: Mapping, n: int, bits: Sequence[int],
                     overrides: dict[str, Any] | None = None, root: DataRoot = None, device: str | None = None,
                     force: bool = False) -> Examples:
    """The first ``n`` evaluation images of the main experiment at each of ``bits``: MedianCut, and each learned
    method's main-experiment model beside the compute ``curve``'s longest-trained run of it at those bits (its
    last cycle end, the zoo's ``…/<epochs>-epochs``; ``overrides``: the curve's). Curves are named for display
    (``"ColorCNN C=2\\n31 epochs, 1 bit"``); kept beside the curve's JSON."""
    cfg = exp.config
    longest = longest_rows(curve)
    params = {"n": n, "bits": list(bits), "models": {label: rows[0]["epochs"] for label, rows in longest.items()}}
    path = examples_path(curve["result_file"])
    if not force and (hit := read_examples(path)) is not None and hit.params == params:
        return hit
    images, names = first_images(load_split(cfg.classifier.data, cfg.split, root, cfg.limit), n)
    own = trained_quantizers(cfg, tuple(m for m in LEARNED if m in cfg.methods), root, device)
    weights, quantized = longest_weights(curve, overrides), {}
    own_epochs = {"colorcnn": cfg.colorcnn.epochs, "colorcnn+": cfg.colorcnn_plus.epochs}
    for b in bits:
        quantized[f"{METHOD_NAMES['mediancut']}\n{b} bit"] = _quantized(images, "mediancut", b, {})
        for label, row in ((label, r) for label, rows in longest.items() for r in rows if r["bits"] == b):
            method, epochs = row["method"], row["epochs"]
            if method in own:
                name = f"{METHOD_NAMES[method]}\n{_epochs(own_epochs[method])}, {b} bit"
                quantized[name] = _quantized(images, method, b, own)
            run = LearnedQuantizer.from_checkpoint(weights[label], method, device)
            quantized[f"{label}\n{_epochs(epochs)}, {b} bit"] = _quantized(images, method, b, {method: run})
    return write_examples(path, images, names, quantized, {}, params)


def schedule_examples(exp: Experiment, curves: Mapping[str, Mapping], n: int, bits: Sequence[int],
                      label: str = "ColorCNN+", root: DataRoot = None, device: str | None = None,
                      force: bool = False) -> Examples:
    """The first ``n`` evaluation images at each of ``bits``: MedianCut beside the longest-trained run ``label``
    of each L_RP schedule (``curves``: ``{schedule: its curve's JSON}``; the zoo's ``…/<epochs>-epochs…``), named
    for display (``"gate\n15 epochs, 1 bit"``); kept beside the last schedule's curve JSON."""
    runs = {name: longest_rows(curve).get(label) for name, curve in curves.items()}
    epochs = {name: rows[0]["epochs"] for name, rows in runs.items() if rows}
    params = {"n": n, "bits": list(bits), "label": label, "schedules": epochs}
    path = examples_path(list(curves.values())[-1]["result_file"])
    if not force and (hit := read_examples(path)) is not None and hit.params == params:
        return hit
    images, names = first_images(load_split(exp.config.classifier.data, exp.config.split, root, exp.config.limit), n)
    nets = {name: LearnedQuantizer.from_checkpoint(longest_weights(curves[name], SCHEDULES[name])[label],
                                                   "colorcnn+", device) for name in epochs}
    quantized = {}
    for b in bits:
        quantized[f"{METHOD_NAMES['mediancut']}\n{b} bit"] = _quantized(images, "mediancut", b, {})
        for name, net in nets.items():
            quantized[f"{name}\n{_epochs(epochs[name])}, {b} bit"] = _quantized(
                images, "colorcnn+", b, {"colorcnn+": net})
    return write_examples(path, images, names, quantized, {}, params)


def _epochs(n: int) -> str:
    return f"{n} epoch{'' if n == 1 else 's'}"


def study_examples(result: Mapping, picks: dict[str, tuple[str, str]], bits: int, n: int = 4,
                   root: DataRoot = None, device: str | None = None, force: bool = False) -> Examples | None:
    """The first ``n`` evaluation images of a study and their quantizations at ``2**bits`` colours, one curve
    per ``picks[curve] = (variant label, method)`` (Figs. 13–15). None, with a warning that says why, when a
    model is missing and training is off."""
    params = {"n": n, "bits": bits, "picks": {k: list(v) for k, v in picks.items()}}
    path = examples_path(result["result_file"])
    if not force and (hit := read_examples(path)) is not None and hit.params == params:
        return hit
    profile, variants = result["profile"], result["variants"]
    base = get_config("evaluate", profile, variants[next(iter(variants))]["overrides"])
    images, names = first_images(load_split(base.classifier.data, base.split, root, n), n)
    quantized = {}
    try:
        for curve, (label, method) in picks.items():
            cfg = get_config("evaluate", profile, {**variants[label]["overrides"], "bits": (bits,)})
            quantizers = trained_quantizers(cfg, (method,), root, device) if method in LEARNED else {}
            quantized[curve] = _quantized(images, method, bits, quantizers)
    except TrainingForbidden as err:
        warnings.warn(f"no examples for {result['result_file']}: {err}", stacklevel=2)
        return None
    return write_examples(path, images, names, quantized, {}, params)

