"""The studies beyond the main experiment, one function per table/figure of the paper:

* :func:`variants_lambda` — Table 4 / Fig. 15: ColorCNN+ with λ ∈ {0, 1, 3, 10}, without bottleneck, without
  top-K, without post-quantization augmentation, CE→KD; MedianCut and ColorCNN once as references.
* :func:`colorcnn_ablation` — Table 5 (3 bits: accuracy, colours per image, bpp of ColorCNN, γ=0, ξ=0) and
  Fig. 17 (sweeps of ξ and γ; U-Net vs DnCNN backbone per classifier).
* :func:`colorcnn_plus_ablation` — Fig. 18: sweeps of α (R_info) and β (R_conf), and the pace of task
  selection (a new C every batch, every 20 batches, every epoch).
* :func:`short_budget_recipe` — not in the paper: which training choices decide how fast ColorCNN and ColorCNN+
  learn in a short budget (logit temperature, batch size, jitter, R_color weighting, λ schedule, task pace,
  optimiser); the evidence behind the ``cpu`` profile's recipe.
* :func:`multilabel_voc` — Table 2 / Fig. 13: ColorCNN+ vs MedianCut on Pascal VOC 2012 (exact-match
  accuracy and mAP).
* :func:`stylized` — Table 3 / Fig. 14: ColorCNN+ vs MedianCut on a Style14-like class-per-folder set.

Every study is a :func:`sweep`: labelled override dicts applied on top of the profile's experiment config
(:func:`~colorcnn_repro.profiles.get_config`), each run through
:func:`~colorcnn_repro.experiments.pipeline.main_results` (classifier, ColorCNN per C and ColorCNN+ as the
variant's ``methods`` need, then the evaluation). Every stage is cached by its own config, so a variant that
equals another (in this study or another one, e.g. λ=3 and the main experiment) is trained and evaluated
once, and a study only computes what is missing. The study's own JSON, keyed by every variant's full
config, lands in ``results/<profile>/<study>-<dataset>-<classifier>-<key>.json``. ``force=True`` re-runs
the evaluations and rewrites the study JSON; trained models are kept (delete their run folder to retrain).

Scale: the studies take the profile's settings (``smoke``, ``cpu``, ``paper``) plus the per-study defaults in
``STUDY_DEFAULTS`` (the paper's dataset and classifier for each table at the ``paper`` profile) and the
per-profile bit ranges and sweep values in ``STUDY_BITS`` and ``SWEEP_VALUES``, all in
:mod:`colorcnn_repro.profiles`; every one of them can be overridden by the caller.
"""
from __future__ import annotations

import itertools
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ClassifierConfig, ExperimentConfig, QuantizerConfig, config_key
from ..data import MissingDataError
from ..data.loader import SOURCES
from ..imitation_schedule import READING_PREFIX, SCHEDULES
from ..methods import epochs_key, learned
from ..names import BACKBONE_NAMES, METHOD_NAMES
from ..paths import DataRoot, data_root, results_root
from ..profiles import PIPELINE_CHECK, Experiment, get_config, resolve
from ..results import Scores, read_result, result_path, variant_scores
from ..study_settings import (
    BACKBONE_CLASSIFIERS,
    LAMBDAS,
    LENGTH_BITS,
    NOISE_SEEDS,
    RECIPE_BITS,
    STUDY_BITS,
    STUDY_DEFAULTS,
    SWEEP_VALUES,
    TRAINING_LENGTHS,
)
from ..training import trainer
from ..training.runs import extend_run
from .compute_curve import reading_experiment
from .pipeline import main_results, write_result

# ---------------------------------------------------------------- per-study, per-profile defaults

#: Where the real Style14-like set is looked for when no ``root`` is given: ``<data root>/style14``.
STYLE14_DIR = "style14"


def study_overrides(study: str, profile: str, overrides: dict | None = None,
                    bits: tuple[int, ...] | None = None) -> dict[str, Any]:
    """The study's overrides: its per-profile defaults, then the caller's ``overrides``, then ``bits``
    (else the study's per-profile bits unless ``overrides`` sets ``bits``)."""
    out = {**STUDY_DEFAULTS.get(study, {}).get(profile, {}), **(overrides or {})}
    if bits is not None:
        out["bits"] = tuple(bits)
    elif "bits" not in out and profile in STUDY_BITS.get(study, {}):
        out["bits"] = STUDY_BITS[study][profile]
    return out


def sweep_values(name: str, profile: str) -> tuple[float, ...]:
    table = SWEEP_VALUES[name]
    return table.get(profile, table["paper"])


def _num(x: float) -> str:
    return f"{x:g}"


def seed_replicates(label: str, overrides: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
    """``<label> (seed N)`` for each of :data:`NOISE_SEEDS`: ``label``'s overrides with the learned quantizer's
    seed (``section``: ``colorcnn`` or ``colorcnn_plus``) set to N, the convention the scorecard reads."""
    return {f"{label} (seed {s})": {**overrides, f"{section}.seed": s} for s in NOISE_SEEDS}


# ---------------------------------------------------------------- the generic sweep

@dataclass(frozen=True)
class StudyConfig:
    """What a study's result file is keyed by: its name and every variant's full experiment config.
    ``classifier`` (the study's base classifier) names the file like the pipeline's results."""

    name: str
    classifier: ClassifierConfig
    variants: dict[str, ExperimentConfig] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """A study before it runs: labelled variant overrides, the methods they evaluate, shared overrides and
    named groups of labels (one panel or table each)."""

    name: str
    variants: dict[str, dict[str, Any]]
    methods: tuple[str, ...]
    overrides: dict[str, Any]
    groups: dict[str, list[str]] = field(default_factory=dict)


def sweep_overrides(variants: dict[str, dict[str, Any]], methods: tuple[str, ...] = ("colorcnn+",),
                    overrides: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Each variant's complete override set: the shared ``overrides``, then ``methods``, then the
    variant's own (which may set ``methods`` itself, e.g. a reference evaluated with MedianCut)."""
    return {label: {**(overrides or {}), "methods": tuple(methods), **ov} for label, ov in variants.items()}


def sweep(name: str, variants: dict[str, dict[str, Any]], methods: tuple[str, ...] = ("colorcnn+",),
          profile: str = "cpu", overrides: dict[str, Any] | None = None, *, root: DataRoot = None,
          device: str | None = None, force: bool = False, groups: dict[str, list[str]] | None = None,
          extra: dict[str, Any] | None = None, prepare: Callable[[], None] | None = None) -> dict:
    """Train and evaluate every variant (``{label: overrides}``) of a study and write one JSON.

    Each variant runs :func:`main_results` with ``overrides`` + ``methods`` + its own overrides, so every
    model and evaluation is cached by its config; variants with identical configs are evaluated once.
    ``extra`` is stored in the JSON (e.g. where the data came from); ``prepare`` runs first when the JSON is
    not cached (e.g. seeding runs from shorter ones). Returns the JSON as a dict: per
    variant its overrides, evaluation config key, original-image metrics and per-method, per-bit metrics,
    plus ``rows`` (one flat record per variant × method × bits) and ``groups``.
    """
    plan, experiments, study, path = _resolve_study(name, variants, methods, profile, overrides)
    if (hit := read_result(path, force)) is not None:
        return hit
    if prepare is not None:
        prepare()
    done: dict[str, dict] = {}
    out: dict[str, dict] = {}
    for label, ov in plan.items():
        key = config_key(experiments[label].config)
        if key not in done:
            done[key] = main_results(experiments[label], root, device, force=force)
        ev = done[key]
        out[label] = {"overrides": ov, "evaluation_key": ev["config_key"], "data": ev["data"],
                      "original": ev["original"], "methods": Scores(ev).map(dict), "significance": ev["significance"]}
    body = {"study": name, "variants": out, "rows": flat_rows(out),
            "groups": groups or {}, **(extra or {})}
    write_result(path, profile, study, body, computed=False)
    stored = read_result(path)  # the JSON as stored (lists, string keys), whether just computed or not
    assert stored is not None
    return stored


def flat_rows(variants: dict[str, dict]) -> list[dict[str, Any]]:
    """One record per variant × method × bits: label, method, bits and every metric."""
    return [{"variant": label, "method": m, "bits": b, **metrics}
            for label, scores in variant_scores({"variants": variants}).items() for m in scores.methods
            for b, metrics in scores.per_bits(m).items()]


ResolvedStudy = tuple[dict[str, dict], dict[str, Experiment], StudyConfig, Path]


def _resolve_study(name: str, variants: dict[str, dict[str, Any]], methods: tuple[str, ...], profile: str,
                   overrides: dict[str, Any] | None) -> ResolvedStudy:
    """Each variant's overrides and resolved experiment, the study's config, and the path of its JSON."""
    plan = sweep_overrides(variants, methods, overrides)
    experiments = {label: resolve(profile, ov) for label, ov in plan.items()}
    study = StudyConfig(name, get_config("classifier", profile, overrides),
                        {label: exp.config for label, exp in experiments.items()})
    return plan, experiments, study, result_path(results_root(profile), name, study)


def plan_result_path(plan: Plan, profile: str) -> Path:
    """Where :func:`run_plan` writes (or finds) ``plan``'s JSON at ``profile``; nothing is trained or read."""
    return _resolve_study(plan.name, plan.variants, plan.methods, profile, plan.overrides)[3]


def current_result_path(profile: str) -> Callable[[str, str, str], Path | None]:
    """``(stage or study name, dataset, classifier) -> the path the profile's current config writes`` (None when
    the config cannot be resolved, or a study's plan is of another setting): which result files the scorecard
    takes as current."""
    def expected(stage: str, dataset: str, classifier: str) -> Path | None:
        if stage.startswith(READING_PREFIX):  # a reading of the paper's ColorCNN+ claims: its schedule's evaluation
            exp = reading_experiment(profile, SCHEDULES[stage.removeprefix(READING_PREFIX)])
            same = exp is not None and (exp.config.classifier.data.dataset, exp.config.classifier.classifier) == (
                dataset, classifier)
            return result_path(exp.results, "evaluation", exp.config) if exp is not None and same else None
        try:
            if stage in PLANS:  # a study: the file its plan writes, when the plan is of this setting
                plan = PLANS[stage](profile)
                clf = get_config("classifier", profile, plan.overrides)
                same = (clf.data.dataset, clf.classifier) == (dataset, classifier)
                return plan_result_path(plan, profile) if same else None
            cfg = get_config(stage, profile, {"dataset": dataset, "classifier.classifier": classifier})
        except (ValueError, KeyError, TypeError) as exc:
            print(f"scorecard: the current {profile!r} config of {dataset}/{classifier} is unknown ({exc}); "
                  "using the newest complete result", file=sys.stderr)
            return None
        return result_path(results_root(profile), "evaluation" if stage == "evaluate" else stage, cfg)
    return expected


def run_plan(plan: Plan, profile: str, *, root: DataRoot = None, device: str | None = None, force: bool = False,
             extra: dict[str, Any] | None = None, prepare: Callable[[], None] | None = None) -> dict:
    return sweep(plan.name, plan.variants, plan.methods, profile, plan.overrides, root=root, device=device,
                 force=force, groups=plan.groups, extra=extra, prepare=prepare)


def data_source(profile: str, overrides: dict | None, root: DataRoot = None) -> str:
    dataset = get_config("classifier", profile, overrides).data.dataset
    return f"{dataset} from {data_root(root) if dataset != 'npz' else root}"


# ---------------------------------------------------------------- Table 4 / Fig. 15

def variants_lambda_plan(profile: str = "cpu", overrides: dict | None = None,
                         bits: tuple[int, ...] | None = None) -> Plan:
    references = {"MedianCut / ColorCNN (references)": {"methods": ("mediancut", "colorcnn")}}
    lambdas = {f"λ={_num(lam)}": {"colorcnn_plus.lam": lam} for lam in LAMBDAS}
    ablations: dict[str, dict[str, Any]] = {
        "w/o bottleneck": {"colorcnn_plus.bottleneck": 0},
        "w/o top-K": {"colorcnn_plus.topk": 0},
        "w/o augmentation": {"colorcnn_plus.post_augment": False},
        "CE→KD": {"colorcnn_plus.kd": True},
    }
    noise = seed_replicates("λ=3", lambdas["λ=3"], "colorcnn_plus")
    return Plan("variants_lambda", {**references, **lambdas, **ablations, **noise}, ("colorcnn+",),
                study_overrides("variants_lambda", profile, overrides, bits),
                {"references": list(references), "lambda": list(lambdas), "variants": list(ablations),
                 "noise": list(noise)})


def variants_lambda(profile: str = "cpu", overrides: dict | None = None, *, bits: tuple[int, ...] | None = None,
                    root: DataRoot = None, device: str | None = None, force: bool = False) -> dict:
    """Table 4 / Fig. 15: ColorCNN+ with λ ∈ {0, 1, 3, 10} and without bottleneck / top-K /
    post-quantization augmentation / with KD instead of CE, beside MedianCut and ColorCNN."""
    plan = variants_lambda_plan(profile, overrides, bits)
    return run_plan(plan, profile, root=root, device=device, force=force,
                    extra={"data_source": data_source(profile, plan.overrides, root)})


# ---------------------------------------------------------------- Table 5 / Fig. 17

def colorcnn_ablation_plan(profile: str = "cpu", overrides: dict | None = None,
                           bits: tuple[int, ...] | None = None,
                           classifiers: tuple[str, ...] | None = None) -> Plan:
    ov = study_overrides("colorcnn_ablation", profile, overrides, bits)
    base_clf = get_config("classifier", profile, ov).classifier
    classifiers = classifiers or BACKBONE_CLASSIFIERS.get(profile, (base_clf,))
    table5 = {"ColorCNN": {}, "w/o regularization (γ=0)": {"colorcnn.gamma": 0.0},
              "w/o color jitter (ξ=0)": {"colorcnn.xi": 0.0}}
    xi = {f"ξ={_num(v)}": {"colorcnn.xi": v} for v in sweep_values("xi", profile)}
    gamma = {f"γ={_num(v)}": {"colorcnn.gamma": v} for v in sweep_values("gamma", profile)}
    backbone = {f"{clf} · {name}": {"classifier.classifier": clf, "colorcnn.backbone": bb}
                for clf in classifiers for bb, name in BACKBONE_NAMES.items()}
    noise = seed_replicates("ColorCNN", table5["ColorCNN"], "colorcnn")
    return Plan("colorcnn_ablation", {**table5, **xi, **gamma, **backbone, **noise}, ("colorcnn",), ov,
                {"table5": list(table5), "xi": list(xi), "gamma": list(gamma), "backbone": list(backbone),
                 "noise": list(noise)})


def colorcnn_ablation(profile: str = "cpu", overrides: dict | None = None, *, bits: tuple[int, ...] | None = None,
                      classifiers: tuple[str, ...] | None = None, root: DataRoot = None, device: str | None = None,
                      force: bool = False) -> dict:
    """Table 5 (ColorCNN, w/o regularization γ=0, w/o colour jitter ξ=0: accuracy, colours per image, bpp)
    and Fig. 17 (sweeps of ξ and γ; U-Net vs DnCNN backbone for each of ``classifiers``), at 3 bits."""
    plan = colorcnn_ablation_plan(profile, overrides, bits, classifiers)
    return run_plan(plan, profile, root=root, device=device, force=force,
                    extra={"data_source": data_source(profile, plan.overrides, root)})


# ---------------------------------------------------------------- Fig. 18

def colorcnn_plus_ablation_plan(profile: str = "cpu", overrides: dict | None = None,
                                bits: tuple[int, ...] | None = None) -> Plan:
    references = {"MedianCut (reference)": {"methods": ("mediancut",)}}
    alpha = {f"α={_num(v)}": {"colorcnn_plus.alpha": v} for v in sweep_values("alpha", profile)}
    beta = {f"β={_num(v)}": {"colorcnn_plus.beta": v} for v in sweep_values("beta", profile)}
    ov = study_overrides("colorcnn_plus_ablation", profile, overrides, bits)
    default = get_config("colorcnn+", profile, ov).task_every
    paces = {"every batch": 1, f"every {default} batches (default)": default, "every epoch": 0}
    pace = {f"task {name}": {"colorcnn_plus.task_every": every} for name, every in paces.items()}
    default_label = f"task every {default} batches (default)"
    noise = seed_replicates(default_label, pace[default_label], "colorcnn_plus")
    return Plan("colorcnn_plus_ablation", {**references, **alpha, **beta, **pace, **noise}, ("colorcnn+",), ov,
                {"references": list(references), "alpha": list(alpha), "beta": list(beta), "pace": list(pace),
                 "noise": list(noise)})


def colorcnn_plus_ablation(profile: str = "cpu", overrides: dict | None = None, *,
                           bits: tuple[int, ...] | None = None, root: DataRoot = None, device: str | None = None,
                           force: bool = False) -> dict:
    """Fig. 18: ColorCNN+ with α (R_info) and β (R_conf) swept, and a new task (C) every batch, every
    ``task_every`` batches (the profile's default: 20 as in the paper at ``cpu``/``paper``, 2 at ``smoke``
    whose epoch has only 4 batches) or once per epoch."""
    plan = colorcnn_plus_ablation_plan(profile, overrides, bits)
    return run_plan(plan, profile, root=root, device=device, force=force,
                    extra={"data_source": data_source(profile, plan.overrides, root)})


# ---------------------------------------------------------------- the short-budget recipe



def short_budget_recipe_plan(profile: str = "cpu", overrides: dict | None = None) -> Plan:
    """Rows of the recipe study, each one short run of the same budget (``study_settings.STUDY_DEFAULTS``). Each group
    starts from the paper's recipe at this width (T = 1, batch 128; ColorCNN+ ξ = 1) and adds one choice at a
    time up to the ``cpu`` profile's recipe; the last rows change one more thing on top of it. The
    ``colorcnn_paper`` group changes one thing at a time from the paper's whole ColorCNN recipe (T = 1, palette
    ÷ 4 with jitter ξ = 1, γ, SGD lr 0.01) at C = 2: the temperature, the normalisation, the learning rate, Adam."""
    plus, cc = "colorcnn_plus.", "colorcnn."

    def ladder(prefix: str, steps: list[tuple[str, dict[str, Any]]], method: str) -> dict[str, dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        acc: dict[str, Any] = {}
        for label, change in steps:
            acc = {**acc, **{prefix + k: v for k, v in change.items()}}
            rows[label] = {**acc, "methods": (method,), "bits": RECIPE_BITS[method]}
        return rows

    plus_rows = ladder(plus, [
        ("ColorCNN+ paper recipe (T=1, batch 128, ξ=1)", {"temperature": 1.0, "batch_size": 128, "xi": 1.0}),
        ("ColorCNN+ + T=0.1", {"temperature": 0.1}),
        ("ColorCNN+ + batch 32", {"batch_size": 32}),
        ("ColorCNN+ + ξ=0.1 (cpu recipe)", {"xi": 0.1}),
    ], "colorcnn+")
    chosen = plus_rows["ColorCNN+ + ξ=0.1 (cpu recipe)"]
    for label, change in (("task every batch", {"task_every": 1}),
                          ("λ·sigmoid(log2 C − 4)", {"rp_schedule": "sigmoid"}),
                          ("Adam lr 1e-3", {"optim.name": "adam", "optim.lr": 1e-3}),
                          ("SGD lr 0.03", {"optim.lr": 0.03})):
        plus_rows[f"ColorCNN+ cpu recipe, {label}"] = {**chosen, **{plus + k: v for k, v in change.items()}}
    cc_rows = ladder(cc, [
        ("ColorCNN T=1, batch 128, γ (previous cpu recipe)",
         {"temperature": 1.0, "batch_size": 128, "gamma_log2c": False}),
        ("ColorCNN + T=0.1", {"temperature": 0.1}),
        ("ColorCNN + batch 32", {"batch_size": 32}),
        ("ColorCNN + γ·log2 C (cpu recipe)", {"gamma_log2c": True}),
    ], "colorcnn")
    paper = {"temperature": 1.0, "xi": 1.0, "color_norm": 4.0, "gamma_log2c": False, "batch_size": 128}
    paper_rows = {f"C=2 {label}": {**{cc + k: v for k, v in {**paper, **change}.items()}, "methods": ("colorcnn",),
                                   "bits": (1,)}
                  for label, change in (("paper recipe (T=1, ÷4, ξ=1, SGD lr 0.01)", {}),
                                        ("paper recipe, T=0.1", {"temperature": 0.1}),
                                        ("paper recipe, ÷1 and ξ=0.1", {"color_norm": 1.0, "xi": 0.1}),
                                        ("paper recipe, lr 0.03", {"optim.lr": 0.03}),
                                        ("paper recipe, lr 0.1", {"optim.lr": 0.1}),
                                        ("paper recipe, Adam lr 1e-3", {"optim.name": "adam", "optim.lr": 1e-3}),
                                        ("cpu recipe (T=0.1, ÷1, ξ=0.1, γ·log2 C)",
                                         {"temperature": 0.1, "color_norm": 1.0, "xi": 0.1, "gamma_log2c": True}))}
    references = {"MedianCut (reference)": {"methods": ("mediancut",), "bits": (1, 2, 3, 6)}}
    ov = study_overrides("short_budget_recipe", profile, overrides)
    return Plan("short_budget_recipe", {**references, **cc_rows, **plus_rows, **paper_rows}, ("colorcnn+",), ov,
                {"references": list(references), "colorcnn+": list(plus_rows), "colorcnn": list(cc_rows),
                 "colorcnn_paper": list(paper_rows)})


def short_budget_recipe(profile: str = "cpu", overrides: dict | None = None, *, root: DataRoot = None,
                        device: str | None = None, force: bool = False) -> dict:
    """The short-budget recipe study (``12_short_budget_recipe``): every row trains its models on the same
    number of training images and is evaluated on the validation split (1,000 images at ``cpu``)."""
    plan = short_budget_recipe_plan(profile, overrides)
    return run_plan(plan, profile, root=root, device=device, force=force,
                    extra={"data_source": data_source(profile, plan.overrides, root)})


# ---------------------------------------------------------------- training length (not in the paper)



def length_label(method: str, epochs: int) -> str:
    return f"{METHOD_NAMES[method]}, {epochs} epoch{'s' if epochs > 1 else ''}"


def training_length_plan(profile: str = "cpu", overrides: dict | None = None) -> Plan:
    """Rows of the training-length study: each learned quantizer of the profile's recipe at each length of
    :data:`~colorcnn_repro.study_settings.TRAINING_LENGTHS`, evaluated with MedianCut on the main evaluation's images
    (paired McNemar)."""
    if profile not in TRAINING_LENGTHS:
        raise ValueError(f"no training lengths for profile {profile!r}; accepted: {', '.join(TRAINING_LENGTHS)}")
    rows: dict[str, dict[str, Any]] = {}
    groups: dict[str, list[str]] = {}
    for method, lengths in TRAINING_LENGTHS[profile].items():
        groups[method] = [length_label(method, k) for k in lengths]
        for label, k in zip(groups[method], lengths):
            rows[label] = {epochs_key(method): k, "methods": (method, "mediancut"), "bits": LENGTH_BITS[method]}
    return Plan("training_length", rows, ("colorcnn",), study_overrides("training_length", profile, overrides),
                groups)


def _train_lengths(method: str, lengths: tuple[int, ...], profile: str, overrides: dict, root: DataRoot,
                   device: str | None) -> None:
    """Train each length but the last, seeding the next one's run from it (the sweep trains the last)."""
    def configs(k: int) -> list:
        cfg = get_config(method, profile, {**overrides, epochs_key(method): k})
        assert isinstance(cfg, QuantizerConfig)
        return list(dict.fromkeys(learned(method).at_colors(cfg, 2**b) for b in LENGTH_BITS[method]))

    for short, long in itertools.pairwise(lengths):
        for cfg_short, cfg_long in zip(configs(short), configs(long)):
            trainer(method)(cfg_short, root, device)
            extend_run(method, cfg_short, cfg_long)


def training_length(profile: str = "cpu", overrides: dict | None = None, *, root: DataRoot = None,
                    device: str | None = None, force: bool = False) -> dict:
    """The training-length study (``12_short_budget_recipe``): how the learned quantizers' margins over
    MedianCut grow with epochs of the profile's recipe, i.e. what budget those bars would need."""
    plan = training_length_plan(profile, overrides)

    def prepare() -> None:
        for method, lengths in TRAINING_LENGTHS[profile].items():
            _train_lengths(method, lengths, profile, plan.overrides, root, device)

    return run_plan(plan, profile, root=root, device=device, force=force, prepare=prepare,
                    extra={"data_source": data_source(profile, plan.overrides, root)})


# ---------------------------------------------------------------- Tables 2 and 3: other data

def resolve_data(dataset: str, root: DataRoot = None, synthetic: bool | None = None) -> tuple[str, Any, str]:
    """``(dataset name, root, data_source)`` for a study on ``dataset`` (``voc2012`` or ``folder``).

    ``synthetic=None``: the real data if its official files are found, else (with a warning) the
    format-faithful synthetic smoke set of :mod:`colorcnn_repro.data.synthetic`; ``True``: always the
    synthetic set; ``False``: the real data or :class:`MissingDataError`.
    """
    from ..data.synthetic import FOLDER_SYNTHETIC, VOC_SYNTHETIC, register_synthetic_datasets

    reason = "requested"
    if synthetic is not True:
        try:
            source = SOURCES[dataset]
            where = source.locate(root)
            source.read(where, "train", False)  # lists files (decodes nothing); raises when absent
            return dataset, where, f"{dataset} at {where}"
        except MissingDataError as err:
            if synthetic is False:
                raise
            reason = "real data not found at " + ", ".join(str(p) for p in err.looked_in)
            warnings.warn(f"{dataset}: {reason}; running on synthetic smoke data instead", stacklevel=3)
    name = {"voc2012": VOC_SYNTHETIC, "folder": FOLDER_SYNTHETIC}[dataset]
    register_synthetic_datasets()
    where = SOURCES[name].locate(None)
    return name, None, f"synthetic smoke data ({reason}); written in the official format at {where}"


def _data_study(study: str, dataset: str, profile: str, overrides: dict | None, bits, root, synthetic,
                device, force: bool) -> dict:
    if synthetic is None and not PIPELINE_CHECK.get(profile, False):
        synthetic = False  # this profile needs the real data: MissingDataError names where it was looked for
    name, where, source = resolve_data(dataset, root, synthetic)
    ov = study_overrides(study, profile, {"classifier.data.dataset": name, **(overrides or {})}, bits)
    variants: dict[str, dict[str, Any]] = {"MedianCut vs ColorCNN+": {}}
    return sweep(study, variants, ("mediancut", "colorcnn+"), profile, ov, root=where, device=device, force=force,
                 extra={"data_source": source, "synthetic": where is None})


def multilabel_voc(profile: str = "cpu", overrides: dict | None = None, *, bits: tuple[int, ...] | None = None,
                   root: DataRoot = None, synthetic: bool | None = None, device: str | None = None,
                   force: bool = False) -> dict:
    """Table 2 / Fig. 13: ColorCNN+ vs MedianCut on Pascal VOC 2012 with a multi-label classifier
    (exact-match accuracy and mAP per bits). ``root``: the data root holding ``VOCdevkit/VOC2012``; without
    the real data the synthetic VOC-format smoke set is used where the profile allows it
    (:data:`~colorcnn_repro.profiles.PIPELINE_CHECK`, :func:`resolve_data`)."""
    return _data_study("multilabel_voc", "voc2012", profile, overrides, bits, root, synthetic, device, force)


def stylized(profile: str = "cpu", overrides: dict | None = None, *, bits: tuple[int, ...] | None = None,
             root: DataRoot = None, synthetic: bool | None = None, device: str | None = None,
             force: bool = False) -> dict:
    """Table 3 / Fig. 14: ColorCNN+ vs MedianCut on a Style14-like class-per-folder set
    (``root/{train,val,test}/<class>/*``, default ``<data root>/style14``, images of one size); without it
    the synthetic stylized smoke set is used where the profile allows it (see :func:`resolve_data`)."""
    root = root if root is not None else data_root() / STYLE14_DIR
    return _data_study("stylized", "folder", profile, overrides, bits, root, synthetic, device, force)


#: The studies defined by a plan, by name: ``PLANS[name](profile, overrides)`` is the plan that the study of that
#: name runs.
PLANS: dict[str, Callable[..., Plan]] = {
    "variants_lambda": variants_lambda_plan, "colorcnn_ablation": colorcnn_ablation_plan,
    "colorcnn_plus_ablation": colorcnn_plus_ablation_plan, "short_budget_recipe": short_budget_recipe_plan,
    "training_length": training_length_plan}

