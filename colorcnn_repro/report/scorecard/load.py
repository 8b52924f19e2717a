"""Which result files the scorecard reads (:func:`load_results`)."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from ...imitation_schedule import READING_PREFIX, READINGS
from ...names import DATASET_NAMES
from ...paths import REPO_ROOT
from ...results import Scores, parse_result_name
from .. import ExpectedPath
from .entries import MAIN_METHODS

# ------------------------------------------------------------------------------------------ result files

@dataclass(frozen=True)
class Found:
    """A result file, its content, and whether it is the one the profile's current config writes."""

    path: Path
    data: dict
    current: bool

    @property
    def name(self) -> str:
        return _rel(self.path)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def result_files(results_dir: Path, name: str) -> dict[tuple[str, str], list[Path]]:
    """``{(dataset, classifier): [files]}`` of the results named ``<name>-<dataset>-<classifier>-<key>.json``
    (:func:`~colorcnn_repro.results.parse_result_name`) on one of the paper's datasets (or its synthetic
    stand-in, ``voc2012-synthetic``); an evaluation of a user's .npz (``evaluation-<file>-<digest>-…``) is not."""
    out: dict[tuple[str, str], list[Path]] = {}
    for path in sorted(results_dir.glob(f"{name}-*.json")):
        try:
            parts = parse_result_name(path)
        except ValueError:
            continue
        if parts.name == name and parts.dataset.split("-")[0] in DATASET_NAMES:
            out.setdefault((parts.dataset, parts.classifier), []).append(path)
    return out


def pick(paths: Iterable[Path], expected: Path | None = None,
         accept: Callable[[dict], bool] = lambda data: True) -> Found | None:
    """``expected`` when it is among ``paths``, else the newest (mtime, then name) file that ``accept``s."""
    paths = list(paths)
    if expected is not None and expected.resolve() in {p.resolve() for p in paths}:
        return Found(expected, json.loads(expected.read_text()), True)
    for path in sorted(paths, key=lambda p: (p.stat().st_mtime, p.name), reverse=True):
        data = json.loads(path.read_text())
        if accept(data):
            return Found(path, data, False)
    return None


def uses_config(config: dict | None, data: dict) -> bool:
    """``data`` was computed with ``config`` (a classifier config), which is known."""
    return config is not None and data.get("config") == config


def is_complete_evaluation(data: dict) -> bool:
    return "methods" in data and all(m in Scores(data) for m in MAIN_METHODS)


#: Studies read (with the plan-based current file) and the data studies only looked for (never scored yet).
STUDIES = ("variants_lambda", "colorcnn_ablation", "colorcnn_plus_ablation")
DATA_STUDIES = ("multilabel_voc", "stylized")


def load_results(results_dir: Path, expected: ExpectedPath | None = None) -> dict[str, dict[tuple[str, str], Found]]:
    """The result files the scorecard reads: ``{"evaluation" | "classifier" | study: {(dataset, classifier):
    Found}}``. A classifier is preferably the one its dataset's evaluation used (same config), so that Table 1
    and the accuracy rows describe one experiment."""
    expected = expected or (lambda *_: None)
    has_variants = lambda d: "variants" in d  # noqa: E731
    out: dict[str, dict[tuple[str, str], Found]] = {}
    readers = [("evaluation", "evaluate", is_complete_evaluation), *((s, s, has_variants) for s in STUDIES),
               *((s, None, has_variants) for s in DATA_STUDIES),
               ("adversarial", None, lambda d: "attack_then_quantize" in d)]
    for name, stage, accept in readers:
        for (ds, clf), paths in result_files(results_dir, name).items():
            current = expected(stage, ds, clf) if stage else None
            if (found := pick(paths, current, accept)) is not None:
                out.setdefault(name, {})[(ds, clf)] = found
    for schedule in READINGS.values():  # each reading's evaluation, where the profile's config has one
        for ds, clf in list(out.get("evaluation", {})):
            path = expected(READING_PREFIX + schedule, ds, clf)
            if path is not None and path.is_file():
                out.setdefault(READING_PREFIX + schedule, {})[(ds, clf)] = Found(path, json.loads(path.read_text()),
                                                                                 True)
    for (ds, clf), paths in result_files(results_dir, "classifier").items():
        current = expected("classifier", ds, clf)
        ev = out.get("evaluation", {}).get((ds, clf))
        used = None if ev is None else ev.data.get("config", {}).get("classifier")
        found = pick(paths, None, partial(uses_config, used))
        if found is not None and current is not None:
            found = replace(found, current=found.path.resolve() == current.resolve())
        if (found := found or pick(paths, current, lambda d: "metrics" in d)) is not None:
            out.setdefault("classifier", {})[(ds, clf)] = found
    return out

