"""Trained weights shipped in ``colorcnn_repro/zoo/``, each file named by its stage and config key, beside
its config JSON: :func:`publish` puts a finished run there, :func:`load_pretrained` finds one by name and never
trains (a missing model raises :class:`~colorcnn_repro.store.MissingModelError`)."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from torch import nn

from ..config import TRAINABLE_COLORS, QuantizerConfig, StageConfig, config_dict, config_key, dict_key
from ..files import atomic_write_json
from ..methods import CLASSIFIER, learned, per_color, stages
from ..models.checkpoint import load_model
from ..profiles import PROFILES, get_config
from ..results import repo_relative
from ..store import MissingModelError, looked_for, model_file, run_dir, zoo_path
from .commands import how_to_train


def publish(stage: str, cfg: StageConfig | QuantizerConfig, evaluation: Path | None = None, label: str | None = None,
            profile: str | None = None) -> Path:
    """Copy a finished run's weights into the zoo, beside a JSON of its stage, config, the profile that trains it
    (:func:`current_profile`, kept for when the profile moves on; else ``profile``), ``evaluation``, its results
    file, and ``label``, what tells it from the profile's own model in its tag (e.g. ``15-epochs``)."""
    src = run_dir(stage, cfg) / "model.pt"
    if not src.exists():
        raise FileNotFoundError(f"no finished {stage} run at {src.parent}; train it first")
    dst = zoo_path(stage, cfg)
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src != dst:
        shutil.copyfile(src, dst)
    config = config_dict(cfg)
    atomic_write_json({"stage": stage, "config": config, "profile": current_profile(stage, config) or profile,
                       "evaluation": repo_relative(evaluation) if evaluation else None, "label": label},
                      dst.with_suffix(".json"))
    return dst


def pretrained_config(name: str, dataset: str = "cifar10", classifier: str = "alexnet", colors: int | None = None,
                      profile: str = "cpu", overrides: dict | None = None) -> StageConfig:
    """The config under which the zoo stores ``name`` for this dataset/classifier/profile."""
    if name not in stages():
        raise ValueError(f"unknown zoo model {name!r}; accepted: {', '.join(stages())}")
    over = {"dataset": dataset, "classifier.classifier": classifier, **(overrides or {})}
    if per_color(name):
        if colors is None:
            trained = colors_text(available_colors(name, dataset, classifier, profile, overrides))
            raise ValueError(f"{learned(name).title} has one model per colour count: pass colors=C (trained for "
                             f"these settings: {trained})")
        over["colors"] = colors
    return get_config(name, profile, over)


def available_colors(name: str = "colorcnn", dataset: str = "cifar10", classifier: str = "alexnet",
                     profile: str = "cpu", overrides: dict | None = None) -> list[int]:
    """The colour counts C = 2, 4, …, 256 (what ``colorcnn train-colorcnn --colors`` trains) that have a model of
    the per-C method ``name``, in the zoo or a local run, for these settings."""
    return [c for c in TRAINABLE_COLORS
            if model_file(name, pretrained_config(name, dataset, classifier, c, profile, overrides))]


def colors_text(colors: list[int]) -> str:
    """``C=2, 4, 8`` for a list of colour counts, ``none`` for an empty one."""
    return f"C={', '.join(map(str, colors))}" if colors else "none"


def load_pretrained(name: str, dataset: str = "cifar10", classifier: str = "alexnet", colors: int | None = None,
                    profile: str = "cpu", overrides: dict | None = None) -> nn.Module:
    """A trained model from the zoo (or a local run of the same config), in eval mode.

    ``load_pretrained("colorcnn+", dataset="cifar10", classifier="alexnet")``; ColorCNN also needs
    ``colors``; ``"classifier"`` gives the frozen classifier.
    """
    cfg = pretrained_config(name, dataset, classifier, colors, profile, overrides)
    path = model_file(name, cfg)
    if path is None:
        existing, train = "", f"train it with {how_to_train(name, cfg)}"
        if per_color(name):
            title = learned(name).title
            trained = colors_text(available_colors(name, dataset, classifier, profile, overrides))
            existing = f"; {title} colour counts trained for these settings: {trained}"
            if colors not in TRAINABLE_COLORS:
                train = (f"{title} is trained for C = 2**bits only ({colors_text(list(TRAINABLE_COLORS))}): use one "
                         "of those, or a method that serves every C, or a classical method for other counts")
        raise MissingModelError(
            f"no pretrained {name!r} for dataset={dataset}, classifier={classifier}, profile={profile}"
            f"{f', colors={colors}' if colors else ''} ({looked_for(name, cfg)}){existing}; {train}", name, cfg, True)
    return load_model(path, name)


def settings(stage: str, config: dict[str, Any]) -> tuple[str, str, int | None]:
    """``(dataset, classifier, colours)`` of a ``stage`` config given as a dict (colours: a per-C method's C, else
    None): what :func:`pretrained_config` takes besides the profile."""
    if stage == CLASSIFIER:
        return config["data"]["dataset"], config["classifier"], None
    return config["classifier"]["data"]["dataset"], config["classifier"]["classifier"], learned(stage).colors_of(config)


def current_profile(stage: str, config: dict[str, Any]) -> str | None:
    """The profile whose zoo config (:func:`pretrained_config`) of ``stage`` for the same settings is ``config``
    (a dict, as the zoo stores it): what ``load_pretrained(..., profile=P)`` loads; None when no profile's is
    (an older config, or one made with other overrides)."""
    key, (dataset, classifier, colors) = dict_key(config), settings(stage, config)
    return next((p for p in PROFILES
                 if config_key(pretrained_config(stage, dataset, classifier, colors, p)) == key), None)
