"""Trained weights shipped in ``colorcnn_repro/zoo/``, each file named by its stage and config key, beside
its config JSON: :func:`publish` puts a finished run there, :func:`load_pretrained` finds one by name."""
from __future__ import annotations

import shutil
from pathlib import Path

from torch import nn

from ..config import StageConfig, config_dict, config_key
from ..files import atomic_write_json
from ..models.checkpoint import load_model
from ..paths import runs_root
from ..profiles import get_config
from ..training.runs import model_file, run_dir, slug, zoo_path

NAMES = ("classifier", "colorcnn", "colorcnn+")


def publish(stage: str, cfg: StageConfig, evaluation: Path | None = None) -> Path:
    """Copy a finished run's weights (and config) into the zoo."""
    src = run_dir(stage, cfg) / "model.pt"
    if not src.exists():
        raise FileNotFoundError(f"no finished {stage} run at {src.parent}; train it first")
    dst = zoo_path(stage, cfg)
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src != dst:
        shutil.copyfile(src, dst)
    atomic_write_json({"stage": stage, "config": config_dict(cfg),
                       "evaluation": str(evaluation) if evaluation else None}, dst.with_suffix(".json"))
    return dst


def pretrained_config(name: str, dataset: str = "cifar10", classifier: str = "alexnet", colors: int | None = None,
                      profile: str = "cpu", overrides: dict | None = None) -> StageConfig:
    """The config under which the zoo stores ``name`` for this dataset/classifier/profile."""
    if name not in NAMES:
        raise ValueError(f"unknown zoo model {name!r}; accepted: {', '.join(NAMES)}")
    over = {"dataset": dataset, "classifier.classifier": classifier, **(overrides or {})}
    if name == "colorcnn":
        if colors is None:
            raise ValueError("ColorCNN has one model per colour count: pass colors=C (trained for these settings: "
                             f"{colors_text(available_colors(dataset, classifier, profile, overrides))})")
        over["colors"] = colors
    return get_config(name, profile, over)


#: The colour counts ``colorcnn train-colorcnn --bits 1 … 8`` trains a ColorCNN for.
TRAINABLE_COLORS = tuple(2**b for b in range(1, 9))


def available_colors(dataset: str = "cifar10", classifier: str = "alexnet", profile: str = "cpu",
                     overrides: dict | None = None) -> list[int]:
    """The colour counts C = 2, 4, …, 256 (what ``colorcnn train-colorcnn --bits`` trains) that have a
    ColorCNN, in the zoo or a local run, for these settings."""
    return [c for c in TRAINABLE_COLORS
            if model_file("colorcnn", pretrained_config("colorcnn", dataset, classifier, c, profile, overrides))]


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
        existing, train = "", f"train it with `colorcnn train-{slug(name).replace('_', '-')} --profile {profile}`"
        if name == "colorcnn":
            trained = colors_text(available_colors(dataset, classifier, profile, overrides))
            existing = f"; ColorCNN colour counts trained for these settings: {trained}"
            bits = (colors or 0).bit_length() - 1
            train = (f"train it with `colorcnn train-colorcnn --profile {profile} --bits {bits}`"
                     if colors in TRAINABLE_COLORS else
                     f"ColorCNN is trained for C = 2**bits only ({colors_text(list(TRAINABLE_COLORS))}): use one of "
                     "those, or ColorCNN+ or a classical method for other counts")
        raise FileNotFoundError(
            f"no pretrained {name!r} for dataset={dataset}, classifier={classifier}, profile={profile}"
            f"{f', colors={colors}' if colors else ''} (looked for {zoo_path(name, cfg)} and "
            f"{runs_root() / f'{slug(name)}-{config_key(cfg)}' / 'model.pt'}){existing}; {train}")
    return load_model(path, name)
