"""The model zoo: trained weights shipped in ``colorcnn_repro/zoo/``, each file named by its stage and
config key, beside its config and evaluation JSON. :func:`load_pretrained` finds them by name."""
from __future__ import annotations

import shutil
from pathlib import Path

from .experiments.config import config_dict, get_config
from .training.runs import atomic_write_json, model_file, run_dir, slug, zoo_path

NAMES = ("classifier", "colorcnn", "colorcnn+")


def publish(stage: str, cfg, evaluation: Path | None = None) -> Path:
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
                      profile: str = "cpu", overrides: dict | None = None):
    """The config under which the zoo stores ``name`` for this dataset/classifier/profile."""
    if name not in NAMES:
        raise ValueError(f"unknown zoo model {name!r}; accepted: {', '.join(NAMES)}")
    over = {"dataset": dataset, "classifier.classifier": classifier, **(overrides or {})}
    if name == "colorcnn":
        if colors is None:
            raise ValueError("ColorCNN has one model per colour count: pass colors=2, 4, …, 64")
        over["colors"] = colors
    return get_config(name, profile, over)


def load_pretrained(name: str, dataset: str = "cifar10", classifier: str = "alexnet", colors: int | None = None,
                    profile: str = "cpu", overrides: dict | None = None):
    """A trained model from the zoo (or a local run of the same config), in eval mode.

    ``load_pretrained("colorcnn+", dataset="cifar10", classifier="alexnet")``; ColorCNN also needs
    ``colors``; ``"classifier"`` gives the frozen classifier.
    """
    from .training.loops import classifier_from_checkpoint, load_model_file, quantizer_from_checkpoint

    cfg = pretrained_config(name, dataset, classifier, colors, profile, overrides)
    path = model_file(name, cfg)
    if path is None:
        raise FileNotFoundError(
            f"no pretrained {name!r} for dataset={dataset}, classifier={classifier}, profile={profile}"
            f"{f', colors={colors}' if colors else ''} (looked for {zoo_path(name, cfg)} and "
            f"{run_dir(name, cfg) / 'model.pt'}); train it with `colorcnn train-{slug(name).replace('_', '-')}"
            f" --profile {profile}`")
    ckpt = load_model_file(path)
    if name == "classifier":
        return classifier_from_checkpoint(ckpt)
    return quantizer_from_checkpoint(ckpt, expect=name)
