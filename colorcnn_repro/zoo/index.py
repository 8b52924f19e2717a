"""A readable index of the model zoo: one :class:`ZooEntry` per ``<stage>-<config key>.pt``, tagged
``<stage>/<dataset>/<classifier>/<profile>`` (a ColorCNN: ``…/C=<colours>``), with the accuracy that its
profile's committed results hold for it (``colorcnn zoo`` prints it).

The index is built from the zoo's config JSONs and ``results/`` when asked for, not committed: which entry a
profile loads (``current``) changes with :mod:`colorcnn_repro.profiles`, and the metrics with each evaluation,
neither of which touches the zoo. Older configs stay listed, marked ``current=False``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import dict_key
from ..methods import CLASSIFIER, learned, slug, stages
from ..paths import REPO_ROOT, results_root, zoo_root
from ..profiles import get_config
from ..results import Scores, classifier_accuracy, repo_relative, result_path
from .pretrained import current_profile, settings


@dataclass(frozen=True)
class ZooEntry:
    """One zoo model: its readable ``tag``, weights ``file`` (from the repository root), config key, the profile
    that trains it (None when unknown) and whether that profile loads it now (``current``), and its accuracy from
    ``results`` (a file under ``results/<profile>/``): the classifier's on original images, a quantizer's at each
    colour-space size in bits."""

    tag: str
    stage: str
    file: str
    config_key: str
    profile: str | None
    current: bool
    dataset: str
    classifier: str
    colors: int | None
    results: str | None
    accuracy: float | None
    accuracy_by_bits: dict[int, float]

    def accuracy_text(self) -> str:
        """The accuracy in %: ``original:84.9`` (a classifier), ``1b:46.3 2b:63.2`` (a quantizer at 1 and 2 bits),
        or ``no results``."""
        if self.accuracy is not None:
            return f"original:{100 * self.accuracy:.1f}"
        if self.accuracy_by_bits:
            return " ".join(f"{b}b:{100 * a:.1f}" for b, a in sorted(self.accuracy_by_bits.items()))
        return "no results"


def zoo_index(folder: Path | None = None) -> list[ZooEntry]:
    """Every model of the zoo ``folder`` (default :func:`~colorcnn_repro.paths.zoo_root`), by stage, dataset,
    classifier, profile and C, current ones first. A ValueError names a file that breaks the zoo's layout
    (weights without their config JSON or the other way round, a name that is not ``<stage>-<key of its
    config>``)."""
    folder = folder if folder is not None else zoo_root()
    weights = {p.stem for p in folder.glob("*.pt")}
    configs = {p.stem for p in folder.glob("*.json")}
    if unpaired := sorted(weights ^ configs):
        raise ValueError(f"zoo {folder}: weights (.pt) without their config (.json) or the other way round: "
                         f"{', '.join(unpaired)}")
    entries = [zoo_entry(folder / f"{stem}.pt") for stem in weights]
    return sorted(entries, key=lambda e: (stages().index(e.stage), e.dataset, e.classifier, e.profile or "~",
                                          e.colors or 0, not e.current, e.config_key))


def find_entry(tag: str, folder: Path | None = None) -> ZooEntry:
    """The zoo model tagged ``tag`` (as ``colorcnn zoo`` lists it); a KeyError names the tags there are."""
    entries = zoo_index(folder)
    if (hit := next((e for e in entries if e.tag == tag), None)) is None:
        raise KeyError(f"no zoo model tagged {tag!r}; tags: {', '.join(e.tag for e in entries)}")
    return hit


def zoo_entry(weights: Path) -> ZooEntry:
    """The index entry of the zoo file ``weights`` from the config JSON beside it."""
    record = json.loads(weights.with_suffix(".json").read_text(encoding="utf-8"))
    stage, config = record["stage"], record["config"]
    if stage not in stages():
        raise ValueError(f"{weights.with_suffix('.json')}: unknown stage {stage!r}; accepted: {', '.join(stages())}")
    key = dict_key(config)
    if weights.name != f"{slug(stage)}-{key}.pt":
        raise ValueError(f"{weights}: a {stage} model of config key {key} must be named {slug(stage)}-{key}.pt")
    dataset, classifier, colors = settings(stage, config)
    recorded = REPO_ROOT / record["evaluation"] if record.get("evaluation") else None
    profile = current_profile(stage, config)
    current = profile is not None
    profile = profile or record.get("profile") or _read(recorded).get("profile")
    label = [] if current or not record.get("label") else [record["label"]]
    tag = "/".join([stage, dataset, classifier, profile or "?", *([f"C={colors}"] if colors else []), *label])
    results, accuracy, by_bits = _metrics(stage, key, profile, dataset, classifier, recorded)
    return ZooEntry(tag, stage, repo_relative(weights), key, profile, current, dataset, classifier, colors,
                    repo_relative(results) if results else None, accuracy, by_bits)


def _metrics(stage: str, key: str, profile: str | None, dataset: str, classifier: str,
             recorded: Path | None) -> tuple[Path | None, float | None, dict[int, float]]:
    """``(results file, accuracy, accuracy by bits)`` of the ``stage`` model of config key ``key`` from
    ``profile``'s results: the classifier's result, or the first of the evaluation ``recorded`` in the zoo and the
    profile's main evaluation that evaluated the quantizer."""
    if profile is None:
        return None, None, {}
    if stage == CLASSIFIER:
        path = next(results_root(profile).glob(f"classifier-*-{key}.json"), None)
        return path, (classifier_accuracy(_read(path)) if path is not None else None), {}
    main = result_path(results_root(profile), "evaluation",
                       get_config("evaluate", profile, {"dataset": dataset, "classifier.classifier": classifier}))
    for path in (recorded, main):
        if by_bits := _accuracy_by_bits(_read(path), stage, key):
            return path, None, by_bits
    return None, None, {}


def _read(path: Path | None) -> dict[str, Any]:
    """The JSON object at ``path``; empty when there is none."""
    return json.loads(path.read_text(encoding="utf-8")) if path is not None and path.is_file() else {}


def _accuracy_by_bits(evaluation: dict[str, Any], stage: str, key: str) -> dict[int, float]:
    """``{bits: accuracy}`` of the ``stage`` model of config key ``key`` in an evaluation result (empty when it
    did not evaluate that model)."""
    if not evaluation:
        return {}
    cfg, scores, method = evaluation["config"], Scores(evaluation), learned(stage)
    out = {}
    for bits in cfg["bits"]:
        trained = method.at_colors(cfg[method.section], 2**bits)
        metrics = scores.find(stage, bits)
        if metrics is not None and "accuracy" in metrics and dict_key(trained) == key:
            out[bits] = metrics["accuracy"]
    return out
