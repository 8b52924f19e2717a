"""Every study's settings per profile, in one home next to the profiles (:mod:`colorcnn_repro.profiles`): what a
study adds to a profile's experiment, the sizes it evaluates, the values it sweeps, its seeds, the compute curve's
runs, and the variant whose seeds give a study's noise. The imitation-schedule study keeps its settings and its
winner rule together in :mod:`colorcnn_repro.imitation_schedule`. Ground floor: torch-free.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .profiles import PIPELINE_CHECK

# ------------------------------------------------------------------ studies of the paper's tables and figures
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

#: The weights λ of the ColorCNN+ variant study (Table 4).
LAMBDAS = (0.0, 1.0, 3.0, 10.0)
#: Seeds of each study's reference variant beside its own (the config's seed, 0): three runs that differ only in
#: weight init and data order give the noise level the scorecard judges the study's effects against.
NOISE_SEEDS = (1, 2)

#: Bits each half of the recipe study evaluates: ColorCNN+ at 1, 2 and 6 bits (the paper's claims: far above
#: MedianCut at 1–2 bits, close to it at 6), ColorCNN at 1 and 3 bits (where γ·log2 C differs from γ).
RECIPE_BITS = {"colorcnn+": (1, 2, 6), "colorcnn": (1, 3)}

#: Where the quality bars of docs/results.md are: ColorCNN at 1–2 bits, ColorCNN+ at 1–2 bits and (close to
#: MedianCut) 6 bits.
LENGTH_BITS = {"colorcnn": (1, 2), "colorcnn+": (1, 2, 6)}

#: Each study's reference variant (its seeds give the noise level); other studies: the label "… (default)".
STUDY_REFERENCE = {"variants_lambda": "λ=3", "colorcnn_ablation": "ColorCNN"}


# ------------------------------------------------------------------ the compute curve (not in the paper)
@dataclass(frozen=True)
class CurveModel:
    """One long run of the curve: a learned ``method`` with ``overrides`` on the profile's recipe, trained for
    ``epochs`` (its last cycle end), evaluated at ``bits`` (a ColorCNN: its one colour count)."""

    method: str
    bits: tuple[int, ...]
    epochs: int
    overrides: tuple[tuple[str, Any], ...] = ()
    #: The sizes an earlier curve evaluated the run at: a cycle end whose model is gone (the zoo keeps a run's
    #: longest alone) and that was not evaluated at ``bits`` keeps the rows of that evaluation.
    earlier_bits: tuple[int, ...] = ()
    #: A cycle end whose training state is gone while its model is kept (in the zoo): the run goes on from that
    #: model with a fresh optimiser (:func:`~colorcnn_repro.training.loops.restart_from_model`), not exactly as
    #: the uninterrupted run would.
    restart_at: int | None = None


#: The schedule of every curve run, set on the quantizer's optimiser section.
CURVE_SCHEDULE = {"optim.schedule": "warm_restarts_doubling", "optim.restart_epochs": 1}
#: The classical references each cycle end is compared with, on the same images.
REFERENCES = ("mediancut", "kmeans")
#: The curve's runs per profile. ``cpu``: ColorCNN at C = 2 and 4 and ColorCNN+ to 31 epochs at width 16; at
#: C = 2 also widths 32 and 64, trained for fewer epochs, each for about the hours of width 16's first cycles
#: (an epoch costs more at each width; docs/performance.md), to tell capacity from steps.
CURVE_MODELS: dict[str, dict[str, CurveModel]] = {
    "smoke": {"ColorCNN C=2": CurveModel("colorcnn", (1,), 3), "ColorCNN+": CurveModel("colorcnn+", (1,), 3)},
    "cpu": {
        "ColorCNN C=2": CurveModel("colorcnn", (1,), 31),
        "ColorCNN C=4": CurveModel("colorcnn", (2,), 31),
        "ColorCNN+": CurveModel("colorcnn+", (1, 2, 3, 4, 5, 6), 31, earlier_bits=(1, 2, 6)),
        "ColorCNN C=2, width 32": CurveModel("colorcnn", (1,), 7, (("colorcnn.width", 32),)),
        "ColorCNN C=2, width 64": CurveModel("colorcnn", (1,), 3, (("colorcnn.width", 64),)),
    },
    "paper": {
        "ColorCNN C=2": CurveModel("colorcnn", (1,), 63),
        "ColorCNN C=4": CurveModel("colorcnn", (2,), 63),
        "ColorCNN+": CurveModel("colorcnn+", (1, 2, 6), 255),
    },
}
#: The 2-bit capacity-or-recipe study (not in the paper), written before its runs: ColorCNN at C = 4 with width 32
#: (T = 0.1) and with width 16 at T = 1, each a variant curve of the "ColorCNN C=4" run (``colorcnn curve --profile
#: cpu --set colorcnn.width=32 --train --until 7 --model "ColorCNN C=4"``, and ``--set colorcnn.temperature=1``),
#: to 7 epochs (cycle ends 1, 3, 7), compared with the width-16, T = 0.1 run at matched images and at matched
#: training time on the validation split, against MedianCut and k-means with McNemar. A variant goes on to 31
#: epochs if its model at 7 epochs leads the width-16, T = 0.1 model at 7 epochs by at least
#: :data:`C4_MIN_LEAD` points at 2 bits with a McNemar p below :data:`C4_ALPHA`; if width 32 goes on, width 64
#: is tried for one epoch at C = 4, as at C = 2.
C4_VARIANTS: dict[str, dict[str, Any]] = {"width 32": {"colorcnn.width": 32}, "T = 1": {"colorcnn.temperature": 1.0}}
C4_EPOCHS, C4_MIN_LEAD, C4_ALPHA = 7, 1.0, 0.01


def c4_goes_on(lead: float, p: float) -> bool:
    """Whether a C = 4 variant goes on to 31 epochs: its lead over the width-16, T = 0.1 model at
    :data:`C4_EPOCHS` epochs (points, 2 bits, not rounded) and the McNemar p of that difference."""
    return lead >= C4_MIN_LEAD and p < C4_ALPHA
#: The paper's training budget in images (Sec. 4.1: ColorCNN 60 epochs, ColorCNN+ 300, of the 50,000
#: CIFAR-10 training images).
PAPER_IMAGES = {"colorcnn": 60 * 50_000, "colorcnn+": 300 * 50_000}
