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


# ------------------------------------------------------------------ the studies' settings per profile
#: A profile that only checks the pipeline (minutes, a few hundred images): its models say nothing about the
#: methods, and its data studies may run on the format-faithful synthetic sets when the real data is missing.
PIPELINE_CHECK = {"smoke": True, "cpu": False, "paper": False}

#: Overrides each study adds to the profile's experiment (before the caller's own). At the ``paper`` profile
#: they select the paper's setting of each table; at ``smoke``/``cpu`` the profile's dataset and classifier
#: are kept (CIFAR-10 and AlexNet are what this machine has).
#: At ``cpu`` every ColorCNN+ variant trains on a fifth of the training split per epoch (a fifth of an epoch's
#: time; the pipeline records each run's), so a study of several variants fits in a session; the main
#: experiment's ColorCNN+ (the zoo model) sees all of it, so the studies' λ = 3 variant is a separate, smaller run.
CPU_PLUS_SCALE = {"colorcnn_plus.train_fraction": 0.2}
STUDY_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {
    # Table 4: CIFAR100, ResNet18.
    "variants_lambda": {"paper": {"classifier.data.dataset": "cifar100", "classifier.classifier": "resnet18"},
                        "cpu": CPU_PLUS_SCALE},
    # Table 5: STL10, AlexNet; STL10 trains with batch size 32 (Sec. 4.1).
    "colorcnn_ablation": {"paper": {"classifier.data.dataset": "stl10", "classifier.classifier": "alexnet",
                                    "classifier.batch_size": 32, "colorcnn.batch_size": 32}},
    # Fig. 18: the paper does not name the setting; we use Table 4's (the ColorCNN+ variant study).
    "colorcnn_plus_ablation": {"paper": {"classifier.data.dataset": "cifar100", "classifier.classifier": "resnet18"},
                               "cpu": CPU_PLUS_SCALE},
    # Tables 2 and 3: ResNet18 (Sec. 4.1).
    "multilabel_voc": {"paper": {"classifier.classifier": "resnet18"}},
    # every model of the recipe study sees the same 9,000 training images (a fifth of the split, one epoch)
    "short_budget_recipe": {profile: {"colorcnn.epochs": 1, "colorcnn.train_fraction": 0.2,
                                      "colorcnn.optim.restart_epochs": 1, "colorcnn_plus.epochs": 1,
                                      "colorcnn_plus.train_fraction": 0.2, "colorcnn_plus.optim.restart_epochs": 1,
                                      **({} if PIPELINE_CHECK[profile] else {"limit": 1000})}
                            for profile in ("smoke", "cpu", "paper")},
    "stylized": {"paper": {"classifier.classifier": "resnet18"}},
}

#: Colour-space sizes (bits) each study evaluates, per profile (missing: the profile's own, 1–6).
#: The ColorCNN ablation is at 3 bits everywhere (Table 5); smoke keeps 1–3 bits to stay within CI time.
STUDY_BITS: dict[str, dict[str, tuple[int, ...]]] = {
    "variants_lambda": {"smoke": (1, 2, 3)},
    "colorcnn_ablation": {"smoke": (3,), "cpu": (3,), "paper": (3,)},
    "colorcnn_plus_ablation": {"smoke": (1, 2, 3)},
    "multilabel_voc": {"smoke": (1, 2, 3)},
    "stylized": {"smoke": (1, 2, 3)},
}

#: Values of the swept weights. The paper's figures do not print their x-axis values in the text; we sweep
#: a log-spaced range around the default 1 (0 = the term removed). smoke/cpu: three values per sweep.
SWEEP_VALUES: dict[str, dict[str, tuple[float, ...]]] = {
    "xi": {"smoke": (0.0, 0.1, 1.0), "cpu": (0.0, 0.1, 1.0), "paper": (0.0, 0.1, 0.3, 1.0, 3.0, 10.0)},
    "gamma": {"smoke": (0.0, 1.0, 10.0), "cpu": (0.0, 1.0, 10.0), "paper": (0.0, 0.1, 0.3, 1.0, 3.0, 10.0)},
    "alpha": {"smoke": (0.1, 1.0, 10.0), "cpu": (0.1, 1.0, 10.0), "paper": (0.1, 0.3, 1.0, 3.0, 10.0)},
    "beta": {"smoke": (0.1, 1.0, 10.0), "cpu": (0.1, 1.0, 10.0), "paper": (0.1, 0.3, 1.0, 3.0, 10.0)},
}

#: Classifiers of the backbone comparison (Fig. 17 shows all three); smoke/cpu: the profile's own only.
BACKBONE_CLASSIFIERS: dict[str, tuple[str, ...]] = {"paper": ("alexnet", "vgg16", "resnet18")}

#: Epochs of each learned quantizer in the training-length study, per profile. Each longer run continues the
#: shorter one (:func:`~colorcnn_repro.training.runs.extend_run`, exact because the ``cpu`` and ``smoke``
#: schedules restart at each listed length), so the study costs the longest run of each, not their sum. The
#: first ``cpu`` lengths are the main experiment's (ColorCNN 1 epoch, ColorCNN+ 4), whose models it reuses.
TRAINING_LENGTHS: dict[str, dict[str, tuple[int, ...]]] = {
    "smoke": {"colorcnn": (1, 2), "colorcnn+": (1, 2)},
    "cpu": {"colorcnn": (1, 2, 3, 4), "colorcnn+": (4, 8)},
}

#: Images of the evaluation split the adversarial and CAM studies use, per profile.
STUDY_IMAGES = {"smoke": 64, "cpu": 500, "paper": 1000}

#: Attack settings per profile (any of them can be passed to :func:`adversarial_study`). ``smoke`` only
#: checks that the study runs (a few minutes on 2 cores): two ε, 5 PGD steps, two colour counts, two
#: JPEG qualities. ``bits``: colour-space sizes of the quantizers (kept to those the experiment trains).
ADVERSARIAL_DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": dict(eps_list=(2, 8), pgd_steps=5, bits=(1, 3), jpeg_qualities=(10, 90)),
    "cpu": dict(eps_list=(1, 2, 4, 8), pgd_steps=10, bits=(1, 3, 6), jpeg_qualities=(10, 50, 90)),
    "paper": dict(eps_list=(1, 2, 4, 8), pgd_steps=10, bits=(1, 3, 6), jpeg_qualities=(10, 50, 90)),
}
