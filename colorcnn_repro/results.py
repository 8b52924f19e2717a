"""Result files: where each is kept, how its name is read back, and how it is written and read.

A result is a JSON object under ``results/<profile>/`` named ``<name>-<dataset>-<classifier>-<config key>.json``
(:func:`result_path`, :func:`parse_result_name`); the small example images a figure shows sit beside it as
``.npz`` (:func:`write_arrays`, :func:`read_arrays`). Every result written carries :data:`SCHEMA_VERSION`; every
result read carries ``result_file``, its path from the repository root, which figures record with the file's
digest (:func:`source_digests`) so that a stale figure can be told from a fresh one. Ground floor: imports
nothing from the package but paths, config, files and quantized, and not torch.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import config_key
from .files import atomic_write_bytes, atomic_write_json
from .paths import REPO_ROOT
from .quantized import Quantized

#: Version of the results' layout; written into every result (``"schema"``), absent in files written before.
SCHEMA_VERSION = 1
_NAME = re.compile(r"(?P<name>[a-z0-9_]+)-(?P<dataset>[A-Za-z0-9_.-]+)-(?P<classifier>[a-z0-9_]+)"
                   r"-(?P<key>[0-9a-f]{10})")


@dataclass(frozen=True)
class ResultName:
    """The parts of a result file's name."""

    name: str
    dataset: str
    classifier: str
    key: str


def result_path(folder: Path, name: str, cfg: Any, suffix: str = ".json") -> Path:
    """``<folder>/<name>-<dataset>-<classifier>-<config key><suffix>``: where the result of ``cfg`` is kept (a
    stage, evaluation or study config: anything with ``data`` or ``classifier.data`` and a classifier)."""
    data = getattr(cfg, "data", None) or cfg.classifier.data
    clf = cfg.classifier
    clf_name = clf if isinstance(clf, str) else clf.classifier
    return Path(folder) / f"{name}-{data.dataset}-{clf_name}-{config_key(cfg)}{suffix}"


def parse_result_name(path: str | os.PathLike[str]) -> ResultName:
    """The parts of a :func:`result_path` name; a ValueError names a file that is not one."""
    stem = Path(path).name.rsplit(".", 1)[0]
    if (match := _NAME.fullmatch(stem)) is None:
        raise ValueError(f"{Path(path).name!r} is not a result file name "
                         "(<name>-<dataset>-<classifier>-<10 hex digit config key>.json)")
    return ResultName(**match.groupdict())


def repo_relative(path: Path) -> str:
    """``path`` from the repository root when inside it, else absolute."""
    path = Path(path).absolute()
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def write_result(path: Path, record: Mapping[str, Any], write: bool = True) -> dict:
    """``record`` with :data:`SCHEMA_VERSION`, written to ``path`` atomically unless not ``write`` (a torchrun
    rank other than 0 gets the same dict without writing), returned as :func:`read_result` reads it. The file
    does not hold its own ``result_file``: where it lies depends on the machine (``$COLORCNN_RESULTS``)."""
    body = {k: v for k, v in record.items() if k != "result_file"}
    out = {**body, "schema": SCHEMA_VERSION}
    if write:
        atomic_write_json(out, path)
    return {**out, "result_file": repo_relative(path)}


def read_result(path: Path, force: bool = False) -> dict | None:
    """The result at ``path`` with its ``result_file``; None when it does not exist or ``force`` (recompute)."""
    if force or not path.exists():
        return None
    return {**json.loads(path.read_text(encoding="utf-8")), "result_file": repo_relative(path)}


def write_arrays(path: Path, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> None:
    """Example images (or any arrays) and a JSON-able ``meta`` to ``path`` (``.npz``), atomically."""
    buffer = io.BytesIO()
    named: dict[str, Any] = {**arrays, "__meta__": np.array(json.dumps({**meta, "schema": SCHEMA_VERSION}))}
    np.savez_compressed(buffer, **named)
    atomic_write_bytes(buffer.getvalue(), path)


def read_arrays(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """``(arrays, meta)`` of a :func:`write_arrays` file, or None when it does not exist."""
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files if k != "__meta__"}
        meta = json.loads(str(npz["__meta__"]))
    return arrays, {**meta, "result_file": repo_relative(path)}


@dataclass(frozen=True)
class Examples:
    """The example images a figure shows: the originals (N×H×W×3 uint8), a name per image, and per curve
    either quantized images (index map + palette each) or plain RGB outputs (N×H×W×3 uint8); ``params`` says
    what was asked for (a request with other params recomputes them)."""

    images: np.ndarray
    names: list[str]
    quantized: dict[str, list[Quantized]]
    outputs: dict[str, np.ndarray]
    params: dict[str, Any]
    result_file: str = ""


def examples_path(result_file: str | os.PathLike[str]) -> Path:
    """Where the examples of a result are kept: ``<name>_examples-<dataset>-<classifier>-<key>.npz`` beside it."""
    path = Path(result_file)
    part = parse_result_name(path)
    return (REPO_ROOT / path).parent / f"{part.name}_examples-{part.dataset}-{part.classifier}-{part.key}.npz"


def write_examples(path: Path, images: np.ndarray, names: list[str], quantized: Mapping[str, Sequence[Quantized]],
                   outputs: Mapping[str, np.ndarray], params: Mapping[str, Any]) -> Examples:
    """Write examples (index maps and palettes of equal size per curve) to ``path`` atomically; returns them."""
    arrays = {"images": images}
    for i, qs in enumerate(quantized.values()):
        arrays[f"index{i}"] = np.stack([q.index for q in qs])
        arrays[f"palette{i}"] = np.stack([q.palette for q in qs])
    arrays.update({f"output{i}": out for i, out in enumerate(outputs.values())})
    write_arrays(path, arrays, {"names": names, "quantized": list(quantized), "outputs": list(outputs),
                                "params": dict(params)})
    out = read_examples(path)
    assert out is not None  # just written
    return out


def read_examples(path: Path) -> Examples | None:
    """The examples at ``path``, or None when it does not exist."""
    if (found := read_arrays(path)) is None:
        return None
    arrays, meta = found
    quantized = {curve: [Quantized(index, palette) for index, palette in zip(arrays[f"index{i}"],
                                                                              arrays[f"palette{i}"])]
                 for i, curve in enumerate(meta["quantized"])}
    outputs = {curve: arrays[f"output{i}"] for i, curve in enumerate(meta["outputs"])}
    return Examples(arrays["images"], meta["names"], quantized, outputs, meta["params"], meta["result_file"])


#: What a figure can be drawn from: a result as read, examples, or a file.
Source = Mapping[str, Any] | Examples | str | os.PathLike[str]


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def source_digests(sources: Iterable[Source]) -> dict[str, str]:
    """``{file from the repository root: sha256}`` of what a figure is drawn from: results as read (their
    ``result_file``), :class:`Examples`, or paths (e.g. model weights)."""
    out = {}
    for source in sources:
        if isinstance(source, Mapping):
            name = source["result_file"]
        elif isinstance(source, Examples):
            name = source.result_file
        else:
            name = repo_relative(Path(source))
        out[name] = file_digest(REPO_ROOT / name)
    return out


class Scores:
    """The scores of one evaluation (a result, or one variant of a study): per method id (``colorcnn``,
    ``mediancut``, …) and colour-space size in bits, its metrics (``accuracy``, ``bpp``, ``colors_used``, …).
    The JSON keeps them as ``{"methods": {method: {str(bits): metrics}}}``; this reads them with int bits."""

    def __init__(self, evaluation: Mapping[str, Any]):
        self._methods: Mapping[str, Mapping[str, Mapping[str, Any]]] = evaluation["methods"]

    @property
    def methods(self) -> list[str]:
        """The method ids, in the file's order."""
        return list(self._methods)

    def __contains__(self, method: object) -> bool:
        return method in self._methods

    def bits(self, method: str | None = None) -> list[int]:
        """The sizes ``method`` was evaluated at (any method's when None), ascending."""
        per = [self._methods[method]] if method is not None else self._methods.values()
        return sorted({int(b) for bits in per for b in bits})

    def find(self, method: str, bits: int) -> Mapping[str, Any] | None:
        """The metrics of ``method`` at ``bits``, or None when it was not evaluated there."""
        return self._methods.get(method, {}).get(str(bits))

    def metrics(self, method: str, bits: int) -> Mapping[str, Any]:
        """The metrics of ``method`` at ``bits``; a KeyError names what the result holds."""
        if (found := self.find(method, bits)) is None:
            raise KeyError(f"no {method} at {bits} bit in this result; it holds "
                           + "; ".join(f"{m}: {self.bits(m)}" for m in self._methods))
        return found

    def accuracy(self, method: str, bits: int) -> float:
        return float(self.metrics(method, bits)["accuracy"])

    def per_bits(self, method: str) -> dict[int, Mapping[str, Any]]:
        """``{bits: metrics}`` of ``method``, ascending."""
        return {b: self._methods[method][str(b)] for b in self.bits(method)}

    def map(self, fn: Callable[[Mapping[str, Any]], Any]) -> dict[str, dict[str, Any]]:
        """``fn`` of every method's metrics at every size, in the stored layout (``{method: {str(bits): …}}``):
        what a writer puts under ``"methods"``."""
        return {m: {b: fn(metrics) for b, metrics in per.items()} for m, per in self._methods.items()}


def classifier_accuracy(result: Mapping[str, Any]) -> float:
    """A classifier result's accuracy on original images (``{"metrics": {"accuracy": …}}``); a KeyError says
    the result is not a classifier's."""
    try:
        return float(result["metrics"]["accuracy"])
    except KeyError:
        raise KeyError(f"not a classifier result (no metrics.accuracy): {result.get('result_file', '?')}") from None


def variant_scores(result: Mapping[str, Any]) -> dict[str, Scores]:
    """The scores of each variant of a study result, by label, in the file's order."""
    return {label: Scores(v) for label, v in result["variants"].items()}


def longest_rows(curve: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The rows of a compute-curve result at each run's last evaluated cycle end, by run label, for the runs of
    the profile's own recipe (no overrides, e.g. not the wider U-Nets): the longest-trained model of each learned
    quantizer, one row per bit size it is evaluated at."""
    own = {label for label, m in curve["models"].items() if not m["overrides"]}
    last: dict[str, int] = {}
    for r in curve["rows"]:
        if r["model"] in own:
            last[r["model"]] = max(last.get(r["model"], 0), r["epochs"])
    return {label: [r for r in curve["rows"] if r["model"] == label and r["epochs"] == end]
            for label, end in last.items()}


def accuracies(result: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """Every ``accuracy`` in a result, by its path (``methods/mediancut/1``; ``accuracy`` alone at the top)."""
    out = {}
    for key, value in result.items():
        path = f"{prefix}/{key}" if prefix else str(key)
        if key == "accuracy" and isinstance(value, (int, float)):
            out[prefix or key] = float(value)
        elif isinstance(value, Mapping):
            out.update(accuracies(value, path))
    return out


def compare_results(committed: Path, fresh: Path) -> list[tuple[str, str, float, float]]:
    """``(file, accuracy path, committed, fresh)`` for every accuracy of every result file in ``fresh`` that
    ``committed`` also holds (same name: same config), in file and path order."""
    rows = []
    for path in sorted(Path(fresh).glob("*.json")):
        old = read_result(Path(committed) / path.name)
        new = read_result(path)
        if old is None or new is None:
            continue
        before, after = accuracies(old), accuracies(new)
        rows += [(path.name, key, before[key], after[key]) for key in sorted(before.keys() & after.keys())]
    return rows
