"""The named profiles: ``smoke`` (CI: tiny data, minutes), ``cpu`` (the reproduction on 2 CPU cores) and
``paper`` (the paper's settings, for a GPU), with their per-dataset settings, and :func:`get_config`, the one
place where a profile name becomes a config, and :func:`resolve`, the experiment every pipeline stage takes.
Ground floor: imports only :mod:`colorcnn_repro.config` and :mod:`colorcnn_repro.paths`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, overload

from .config import (
    ClassifierConfig,
    ColorCNNConfig,
    ColorCNNPlusConfig,
    DataConfig,
    ExperimentConfig,
    OptimConfig,
    StageConfig,
    with_overrides,
)
from .methods import LEARNED, section, stages
from .paths import results_root


def _paper() -> ExperimentConfig:
    """The paper's settings (Sec. 4.1), with the authors' logit scale (T = 1). ColorCNN+ keeps ColorCNN's
    train-time normalisation (quantized image ÷ 4 × std) and jitter ξ = 1: Sec. 4.1 lists what ColorCNN+ changes
    over ColorCNN (bottleneck, K, λ, α, β), and these are not among them. The authors' ColorCNN+ code differs
    (÷1, jitter ξ/log2 C up to 8 colours, ColorJitter above): ``--set colorcnn_plus.color_norm=1`` gives its
    normalisation (docs/paper-vs-code.md)."""
    return ExperimentConfig(colorcnn_plus=ColorCNNPlusConfig(color_norm=4.0))


def _cpu() -> ExperimentConfig:
    """2 cores, hours for the main chain (its time is in the results): the paper's AlexNet for 24 one-cycle
    epochs, a width-16 U-Net, and the short-budget recipe of the learned quantizers (``12_short_budget_recipe``,
    README): logits ÷ T = 0.1, R_color weighted by log2 C (authors' ColorCNN code), no ÷4 colour normalisation
    and jitter ξ = 0.1; batch 128 for each ColorCNN (chosen over 32 in the recipe study) and 32 for ColorCNN+.
    Each ColorCNN sees the split once, ColorCNN+ four epochs (one cosine cycle)."""
    clf = ClassifierConfig(epochs=24, optim=OptimConfig(lr=0.1, nesterov=True, schedule="onecycle"))
    quick = OptimConfig(lr=0.01, restart_epochs=1)
    cc = ColorCNNConfig(width=16, epochs=1, batch_size=128, optim=quick, temperature=0.1, gamma_log2c=True,
                        xi=0.1, color_norm=1.0)
    plus = ColorCNNPlusConfig(width=16, epochs=4, batch_size=32, optim=replace(quick, restart_epochs=4),
                              temperature=0.1, xi=0.1)
    return ExperimentConfig(clf, cc, plus)


def _smoke() -> ExperimentConfig:
    """A few hundred images, tiny widths, one epoch: the whole pipeline in minutes."""
    clf = ClassifierConfig(data=DataConfig(limit_train=256), epochs=1, batch_size=64,
                           optim=OptimConfig(lr=0.1, schedule="onecycle"))
    one = OptimConfig(restart_epochs=1)
    cc = ColorCNNConfig(width=4, epochs=1, batch_size=64, optim=one, temperature=0.1, xi=0.1, color_norm=1.0)
    plus = ColorCNNPlusConfig(width=4, epochs=1, batch_size=64, optim=one, temperature=0.1, task_every=2, xi=0.1)
    return ExperimentConfig(clf, cc, plus, jpeg_qualities=(10, 50, 90), limit=100, batch_size=100)


PROFILES = {"smoke": _smoke, "cpu": _cpu, "paper": _paper}

#: Per-dataset settings a profile applies before the caller's overrides. ``cpu`` on Tiny-ImageNet (the
#: 20-class subset here: 9,800 training images of 64×64, a fifth of CIFAR-10's count at four times the pixels)
#: keeps CIFAR-10's epochs and is evaluated on the official val folder (``test``, 50 images per class), since
#: the carved-out validation split holds only 10 per class.
DATASET_DEFAULTS: dict[tuple[str, str], dict[str, Any]] = {
    ("cpu", "tinyimagenet"): {"split": "test"},
}
#: The stage whose config is the whole experiment (the evaluation); the other stages are the trained ones
#: (:func:`colorcnn_repro.methods.stages`), each with its section.
EVALUATE = "evaluate"


def experiment_config(profile: str = "cpu", overrides: dict[str, Any] | None = None) -> ExperimentConfig:
    """The resolved experiment of ``profile``: its per-dataset defaults, then ``overrides``, with every
    quantizer trained against the experiment's classifier.

    Overrides address the experiment: dotted keys reach one section (``classifier.epochs``,
    ``colorcnn.width``, ``colorcnn_plus.optim.lr``); a plain key is applied wherever the field exists.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; accepted: {', '.join(PROFILES)}")
    exp = with_overrides(PROFILES[profile](), overrides)
    defaults = DATASET_DEFAULTS.get((profile, exp.classifier.data.dataset))
    if defaults:
        exp = with_overrides(with_overrides(PROFILES[profile](), defaults), overrides)
    return replace(exp, **{m.section: replace(getattr(exp, m.section), classifier=exp.classifier)
                           for m in LEARNED.values()})


def stage_config(exp: ExperimentConfig, stage: str) -> StageConfig:
    """The ``stage`` section of a resolved experiment."""
    if stage == EVALUATE:
        return exp
    if stage not in stages():
        raise ValueError(f"unknown stage {stage!r}; accepted: {', '.join((*stages(), EVALUATE))}")
    return getattr(exp, section(stage))


# The section type per stage name, for type checkers.
@overload
def get_config(stage: Literal["classifier"], profile: str = ...,
               overrides: dict[str, Any] | None = ...) -> ClassifierConfig: ...
@overload
def get_config(stage: Literal["colorcnn"], profile: str = ...,
               overrides: dict[str, Any] | None = ...) -> ColorCNNConfig: ...
@overload
def get_config(stage: Literal["colorcnn+"], profile: str = ...,
               overrides: dict[str, Any] | None = ...) -> ColorCNNPlusConfig: ...
@overload
def get_config(stage: Literal["evaluate"], profile: str = ...,
               overrides: dict[str, Any] | None = ...) -> ExperimentConfig: ...
@overload
def get_config(stage: str, profile: str = ..., overrides: dict[str, Any] | None = ...) -> StageConfig: ...
def get_config(stage: str, profile: str = "cpu", overrides: dict[str, Any] | None = None) -> StageConfig:
    """The ``stage`` config of ``profile``'s experiment with ``overrides`` applied."""
    return stage_config(experiment_config(profile, overrides), stage)


@dataclass(frozen=True)
class Experiment:
    """A resolved experiment, what every pipeline stage takes: the profile's name (recorded in each result),
    the config the stages read their sections from, and the folder their results go to."""

    profile: str
    config: ExperimentConfig
    results: Path


def resolve(profile: str = "cpu", overrides: dict[str, Any] | None = None) -> Experiment:
    """``profile`` with ``overrides``, resolved once (:func:`experiment_config`), results in ``results/<profile>/``
    (:func:`~colorcnn_repro.paths.results_root`)."""
    return Experiment(profile, experiment_config(profile, overrides), results_root(profile))


#: Each study's settings per profile are in :mod:`colorcnn_repro.study_settings`.
#: A profile that only checks the pipeline (minutes, a few hundred images): its models say nothing about the
#: methods, and its data studies may run on the format-faithful synthetic sets when the real data is missing.
PIPELINE_CHECK = {"smoke": True, "cpu": False, "paper": False}

