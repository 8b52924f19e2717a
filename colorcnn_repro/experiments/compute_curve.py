"""The compute curve (not in the paper): how the learned quantizers' lead over MedianCut and k-means grows with
training, and what budget the paper's margins would need.

Each model of :data:`CURVE_MODELS` is one long run of the profile's recipe under warm restarts whose cycles
double (:data:`CURVE_SCHEDULE`: cycles end after 1, 3, 7, 15, 31 epochs). The state at a cycle end is the model
of the same config trained for that many epochs (:func:`~colorcnn_repro.training.runs.cycle_ends`), saved as
such, and evaluated by the main experiment's evaluation stage beside MedianCut and k-means on the same images
(McNemar p). :func:`train_curve` trains in rounds, every model to the next cycle end before any goes further,
and archives each run's state at each cycle end under ``checkpoints/<profile>/`` (tracked by git but for
``smoke``), so that a run longer than a session continues exactly in the next one (``colorcnn curve --until
15``); :func:`publish_longest` ships the longest models and removes what they supersede. :func:`compute_curve` gathers
every cycle end that is trained or already evaluated into one JSON, with a trend per model and bit size
(:func:`fit_trend`): the lead against log10(training images), its uncertainty, what it predicts at the paper's
budget and what budget would reach a given lead.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from ..config import QuantizerConfig
from ..evaluation.grid import predict, score
from ..evaluation.metrics import mcnemar_p
from ..imitation_schedule import VARIANTS
from ..methods import learned, section
from ..models.checkpoint import load_checkpoint, load_quantizer_net
from ..paths import DataRoot, checkpoints_root
from ..profiles import Experiment, get_config, resolve
from ..quantizers.classical import METHODS as CLASSICAL_METHODS
from ..quantizers.learned import LearnedQuantizer
from ..results import Scores, longest_rows, read_result, result_path
from ..stats import paired_se
from ..store import archived_checkpoint, model_file, run_dir, run_path, trained_model_file, zoo_path
from ..study_settings import CURVE_MODELS, CURVE_SCHEDULE, PAPER_IMAGES, REFERENCES, CurveModel
from ..training import trainer
from ..training.loops import frozen_classifier, load_split, restart_from_model
from ..training.runs import cycle_ends
from ..zoo import publish
from .pipeline import main_results, write_result


def curve_models(profile: str) -> dict[str, CurveModel]:
    if profile not in CURVE_MODELS:
        raise ValueError(f"no compute curve for profile {profile!r}; accepted: {', '.join(CURVE_MODELS)}")
    return CURVE_MODELS[profile]


def check_labels(known: Iterable[str], labels: Iterable[str] | None) -> None:
    """A ValueError naming each of ``labels`` that is not a run of the curve (``known``), and the runs there are."""
    known = list(known)
    if unknown := sorted(set(labels or ()) - set(known)):
        raise ValueError(f"no run {', '.join(map(repr, unknown))} in the compute curve; accepted: {', '.join(known)}")


def row_overrides(model: CurveModel, epochs: int, bits: tuple[int, ...] | None = None) -> dict[str, Any]:
    """The experiment overrides of ``model`` trained for ``epochs``, evaluated with the references at ``bits``
    (default: the model's)."""
    prefix = section(model.method) + "."
    return {**{prefix + k: v for k, v in CURVE_SCHEDULE.items()}, **dict(model.overrides), prefix + "epochs": epochs,
            "methods": (model.method, *REFERENCES), "bits": model.bits if bits is None else bits}


def run_config(profile: str, model: CurveModel, epochs: int | None = None,
               overrides: dict[str, Any] | None = None) -> QuantizerConfig:
    """The training config of ``model`` for ``epochs`` (default: its whole run); a per-C method's (a ColorCNN's)
    at its colour count."""
    cfg = get_config(model.method, profile, {**(overrides or {}), **row_overrides(model, epochs or model.epochs)})
    assert isinstance(cfg, QuantizerConfig)
    return learned(model.method).at_colors(cfg, 2 ** model.bits[0])


def curve_ends(profile: str, model: CurveModel, overrides: dict[str, Any] | None = None) -> list[int]:
    cfg = run_config(profile, model, overrides=overrides)
    return cycle_ends(cfg.optim, cfg.epochs)


def train_curve(profile: str = "cpu", until: int | None = None, labels: list[str] | None = None,
                overrides: dict[str, Any] | None = None, root: DataRoot = None, device: str | None = None) -> None:
    """Train the curve's runs (``labels``, default all) to the cycle end ``until`` (default: their last), in
    rounds: every run reaches a cycle end before any goes further, so the curve grows evenly and each round's
    models can be evaluated and committed. Runs resume from ``runs/`` or from their archived state
    (``checkpoints/<profile>/``); a cycle end whose model exists is skipped."""
    models = curve_models(profile)
    check_labels(models, labels)
    chosen = {label: models[label] for label in (labels or models)}
    ends = sorted({e for m in chosen.values() for e in curve_ends(profile, m, overrides)
                   if until is None or e <= until})
    for end in ends:
        for model in chosen.values():
            if end not in curve_ends(profile, model, overrides):
                continue
            cfg = run_config(profile, model, overrides=overrides)
            if model_file(model.method, replace(cfg, epochs=end)) is None:
                archive = checkpoints_root(profile)
                if (model.restart_at is not None and end > model.restart_at
                        and not archived_checkpoint(run_path(model.method, cfg), archive).exists()):
                    restart_from_model(model.method, cfg, model.restart_at, root)
                trainer(model.method)(cfg, root, device, until=end, archive=archive)


def compute_curve(profile: str = "cpu", until: int | None = None, *, train: bool = False,
                  overrides: dict[str, Any] | None = None, root: DataRoot = None, device: str | None = None,
                  force: bool = False) -> dict:
    """The compute-curve study's JSON (``results/<profile>/compute_curve-…json``): one row per model, cycle end
    and bit size that is evaluated or can be (its model exists), with its lead over each reference and McNemar
    p, and :func:`fit_trend` per model and bit size. ``train``: first train every run to ``until``
    (:func:`train_curve`); otherwise nothing is trained. Cycle ends beyond ``until`` are left out."""
    if train:
        train_curve(profile, until, None, overrides, root, device)
    models = curve_models(profile)
    rows, pending = [], []
    for label, model in models.items():
        for end in curve_ends(profile, model, overrides):
            if until is not None and end > until:
                continue
            exp = resolve(profile, {**(overrides or {}), **row_overrides(model, end)})
            evaluated = result_path(exp.results, "evaluation", exp.config).exists()
            if not (evaluated or model_file(model.method, run_config(profile, model, end, overrides))):
                earlier = resolve(profile, {**(overrides or {}), **row_overrides(model, end, model.earlier_bits)})
                if model.earlier_bits and (hit := read_result(result_path(earlier.results, "evaluation",
                                                                          earlier.config))) is not None:
                    rows += curve_rows(label, model, end, hit)
                else:
                    pending.append({"model": label, "epochs": end})
                continue
            rows += curve_rows(label, model, end, main_results(exp, root, device, force=force))
    path, study = result_file(profile, overrides), _study(profile, overrides)
    trends = [fit_trend(rows, label, models[label].method, bits, ref)
              for label, bits in sorted({(r["model"], r["bits"]) for r in rows}) for ref in REFERENCES]
    if not force and (hit := read_result(path)) is not None and (hit["rows"], hit["trends"]) == (rows, trends):
        return hit
    body = {"study": "compute_curve", "rows": rows,
            "pending": pending, "trends": trends, "references": list(REFERENCES),
            "paper_images": PAPER_IMAGES, "models": {label: {"method": m.method, "bits": list(m.bits),
                                                             "epochs": m.epochs, "overrides": dict(m.overrides)}
                                                     for label, m in models.items()}}
    write_result(path, profile, study, body, computed=False)
    out = read_result(path)
    assert out is not None  # just written
    return out


def read_curve(profile: str = "cpu", overrides: dict[str, Any] | None = None) -> dict:
    """The curve's JSON as :func:`compute_curve` wrote it; FileNotFoundError naming where it was looked for."""
    path = result_file(profile, overrides)
    if (curve := read_result(path)) is None:
        raise FileNotFoundError(f"no compute curve at {path}: run `colorcnn curve` first")
    return curve


def variant_curves(profile: str = "cpu", overrides: dict[str, Any] | None = None) -> dict[str, dict]:
    """The compute curves of the recipe's ColorCNN+ variants (:data:`~colorcnn_repro.imitation_schedule.VARIANTS`)
    that exist, by display name; read only."""
    found = {name: read_result(result_file(profile, {**(overrides or {}), **ov})) for name, ov in VARIANTS.items()}
    return {name: curve for name, curve in found.items() if curve is not None}


def only_runs(curve: Mapping[str, Any], labels: list[str]) -> dict[str, Any]:
    """The curve's JSON restricted to the runs ``labels`` (their rows, pending cycle ends and trends): e.g. a
    variant's own run, where the other runs are the profile's recipe again. A ValueError names a label that the
    curve lacks."""
    check_labels(curve["models"], labels)
    keep = set(labels)
    return {**curve, **{key: [r for r in curve[key] if r["model"] in keep]
                        for key in ("rows", "pending", "trends") if key in curve}}


def longest_weights(curve: Mapping[str, Any], overrides: dict[str, Any] | None = None) -> dict[str, Path]:
    """The weights of each run of the profile's own recipe at its last evaluated cycle end
    (:func:`~colorcnn_repro.results.longest_rows`): the zoo's ``…/<epochs>-epochs`` or ``runs/``, by run label."""
    profile, models = curve["profile"], curve_models(curve["profile"])
    return {label: trained_model_file(models[label].method,
                                      run_config(profile, models[label], rows[0]["epochs"], overrides))
            for label, rows in longest_rows(curve).items()}


def paired_leads(profile: str, label: str, epochs: int, variant: Mapping[str, Any],
                 baseline: Mapping[str, Any] | None = None, root: DataRoot = None,
                 device: str | None = None) -> dict[int, dict[str, float]]:
    """``{bits: {"lead": points, "p": McNemar p}}``: the curve run ``label`` trained with the ``variant`` overrides
    against the same run with ``baseline``'s (default: the profile's recipe), both at the cycle end ``epochs``, on
    the evaluation's images (its split and limit) at every size of the run, their predictions paired image by
    image. Loads the two models and trains nothing (a missing one raises MissingModelError); writes nothing."""
    model = curve_models(profile)[label]
    cfg = resolve(profile, dict(variant)).config
    clf = frozen_classifier(cfg.classifier, device=device)
    data = load_split(cfg.classifier.data, cfg.split, root, cfg.limit)
    weights = {side: trained_model_file(model.method, run_config(profile, model, epochs, dict(ov)))
               for side, ov in (("variant", variant), ("baseline", baseline or {}))}
    quantizers = {side: LearnedQuantizer(load_quantizer_net(path, model.method), device)
                  for side, path in weights.items()}
    out = {}
    for bits in model.bits:
        correct = {side: score(predict(clf, q.quantize_set(data.images, 2**bits).rgb(), cfg.batch_size), data)[0]
                   for side, q in quantizers.items()}
        out[bits] = {"lead": 100 * float(correct["variant"].mean() - correct["baseline"].mean()),
                     "p": mcnemar_p(correct["variant"], correct["baseline"])}
    return out


@dataclass(frozen=True)
class _Pair:
    """What a paired comparison's file is keyed by: the classifier (it names the file) and both models' configs."""

    classifier: Any
    variant: QuantizerConfig
    baseline: QuantizerConfig


def paired_runs(profile: str, label: str, epochs: int, variant: Mapping[str, Any],
                baseline: Mapping[str, Any] | None = None, root: DataRoot = None, device: str | None = None,
                force: bool = False) -> dict:
    """:func:`paired_leads` kept as a result, ``results/<profile>/paired_runs-…json``, keyed by both models'
    configs: computed once (or when ``force``), then read."""
    model = curve_models(profile)[label]
    pair = _Pair(get_config("classifier", profile, dict(variant)), run_config(profile, model, epochs, dict(variant)),
                 run_config(profile, model, epochs, dict(baseline or {})))
    path = result_path(resolve(profile).results, "paired_runs", pair)
    if (hit := read_result(path, force)) is not None:
        return hit
    leads = paired_leads(profile, label, epochs, variant, baseline, root, device)
    write_result(path, profile, pair, {"study": "paired_runs", "run": label, "epochs": epochs,
                                       "variant": dict(variant), "baseline": dict(baseline or {}),
                                       "leads": {str(b): v for b, v in leads.items()}})
    out = read_result(path)
    assert out is not None  # just written
    return out


def training_split(profile: str = "cpu", labels: tuple[str, ...] = ("ColorCNN C=2", "ColorCNN C=4"),
                   overrides: dict[str, Any] | None = None, root: DataRoot = None, device: str | None = None,
                   force: bool = False) -> dict:
    """The generalisation check of the compute curve (``results/<profile>/compute_curve_training_split-…json``):
    each evaluated cycle end of the runs ``labels``, evaluated as in the curve but on as many class-balanced
    images of the training split the run learned from as the curve has validation images (no JPEG reference).
    Rows as :func:`curve_rows`. A lead that keeps growing there while the validation lead stalls is overfitting,
    not a lack of steps. Reads the curve's JSON; trains nothing that the curve has not."""
    curve = read_curve(profile, overrides)
    models, rows = curve_models(profile), []
    ends = sorted({(r["model"], r["epochs"], r["n_images"]) for r in curve["rows"] if r["model"] in labels})
    for label, end, n in ends:
        split = {"split": "train", "limit": n, "jpeg_qualities": ()}
        exp = resolve(profile, {**(overrides or {}), **row_overrides(models[label], end), **split})
        rows += curve_rows(label, models[label], end, main_results(exp, root, device, force=force))
    out_path = result_path(resolve(profile, overrides).results, "compute_curve_training_split",
                           _study(profile, overrides))
    if not force and (hit := read_result(out_path)) is not None and hit["rows"] == rows:
        return hit
    return write_result(out_path, profile, _study(profile, overrides),
                        {"study": "compute_curve_training_split", "rows": rows, "references": list(REFERENCES)},
                        computed=False)


def reading_experiment(profile: str, overrides: dict[str, Any] | None = None, label: str = "ColorCNN+",
                       sizes: tuple[int, ...] | None = None) -> Experiment | None:
    """The experiment that evaluates run ``label`` of the curve with ``overrides`` (e.g. an L_RP schedule,
    :data:`~colorcnn_repro.imitation_schedule.SCHEDULES`) at its last evaluated cycle end, beside every classical
    method at ``sizes`` (default: the profile's; a ColorCNN run: its one size): what the scorecard reads for one
    reading of the paper's ColorCNN+ claims (:data:`~colorcnn_repro.imitation_schedule.READINGS`), and the
    README's margins of the longest models over the strongest classical method. None when the curve has no
    evaluated cycle end of it. Nothing is trained or read but the curve's JSON."""
    path = result_file(profile, overrides)
    if (curve := read_result(path)) is None or not (rows := longest_rows(only_runs(curve, [label])).get(label)):
        return None
    model = curve_models(profile)[label]
    sizes = sizes or resolve(profile).config.bits
    return resolve(profile, {**(overrides or {}), **row_overrides(model, rows[0]["epochs"], sizes),
                             "methods": (*CLASSICAL_METHODS, model.method)})


def reading_evaluation(profile: str, overrides: dict[str, Any] | None = None, label: str = "ColorCNN+",
                       sizes: tuple[int, ...] | None = None, root: DataRoot = None, device: str | None = None,
                       force: bool = False) -> dict | None:
    """The evaluation of :func:`reading_experiment` (computed when missing; its model is the curve's, from
    ``runs/`` or the zoo), or None."""
    exp = reading_experiment(profile, overrides, label, sizes)
    return None if exp is None else main_results(exp, root, device, force=force)


def publish_longest(profile: str = "cpu", overrides: dict[str, Any] | None = None,
                    labels: list[str] | None = None) -> list[Path]:
    """Put each run (``labels``, default all) of the profile's recipe at its last evaluated cycle end
    (:func:`~colorcnn_repro.results.longest_rows` of the curve's JSON) into the zoo, tagged ``<epochs>-epochs``
    beside the profile's model (a variant's ``overrides`` follow, e.g. ``15-epochs/colorcnn_plus.lam=0``), with
    the main chain's evaluation of it; the zoo files written. The weights come from the run's cycle-end model
    under ``runs/``. What it supersedes goes: the run's shorter cycle ends in the zoo and, once the run has reached
    its last cycle end, its archived state (``checkpoints/<profile>/``)."""
    curve = read_curve(profile, overrides)
    models, out = curve_models(profile), []
    variant = "".join(f"/{key}={value}" for key, value in sorted((overrides or {}).items()))
    for label, rows in longest_rows(only_runs(curve, labels or list(models))).items():
        model, end = models[label], rows[0]["epochs"]
        exp = resolve(profile, {**(overrides or {}), **row_overrides(model, end)})
        out.append(publish(model.method, run_config(profile, model, end, overrides),
                           result_path(exp.results, "evaluation", exp.config), f"{end}-epochs{variant}", profile))
        for shorter in curve_ends(profile, model, overrides):
            if shorter < end:
                weights = zoo_path(model.method, run_config(profile, model, shorter, overrides))
                for superseded in (weights, weights.with_suffix(".json")):
                    superseded.unlink(missing_ok=True)
        whole = run_config(profile, model, overrides=overrides)
        if end == whole.epochs:
            archived_checkpoint(run_dir(model.method, whole), checkpoints_root(profile)).unlink(missing_ok=True)
    return out


def longest_histories(curve: Mapping[str, Any], overrides: dict[str, Any] | None = None) -> dict[str, list[dict]]:
    """The training history (loss terms and seconds per epoch) kept in each :func:`longest_weights`, by run
    label."""
    return {label: load_checkpoint(path)["history"] for label, path in longest_weights(curve, overrides).items()}


@dataclass(frozen=True)
class _Study:
    """What the study's file is keyed by: the classifier (it names the file) and every run's whole config."""

    classifier: Any
    runs: dict[str, QuantizerConfig]


def curve_rows(label: str, model: CurveModel, epochs: int, evaluation: dict) -> list[dict[str, Any]]:
    """One record per bit size of an evaluated cycle end (those of ``model.bits`` that ``evaluation`` holds):
    accuracy, each reference's, the leads (points) and their McNemar p, colours used, bits per pixel, and the
    training images and seconds behind the model."""
    out = []
    for b in (b for b in model.bits if Scores(evaluation).find(model.method, b) is not None):
        training = evaluation.get("training", {}).get(model.method, {}).get(str(2**b), {})
        per = {m: Scores(evaluation).metrics(m, b) for m in (model.method, *REFERENCES)}
        sig = evaluation["significance"][str(b)]
        row = {"model": label, "method": model.method, "epochs": epochs, "bits": b,
               "images": training.get("images"), "train_seconds": training.get("seconds"),
               "accuracy": per[model.method]["accuracy"], "colors_used": per[model.method]["colors_used"],
               "bpp": per[model.method]["bpp"],
               "evaluation_key": evaluation["config_key"], "n_images": evaluation["data"]["count"]}
        for ref in REFERENCES:
            row[ref] = per[ref]["accuracy"]
            row[f"lead_{ref}"] = 100 * (per[model.method]["accuracy"] - per[ref]["accuracy"])
            row[f"p_{ref}"] = sig[f"{model.method} vs {ref}"]["p"]
        out.append(row)
    return out


def fit_trend(rows: list[dict], label: str, method: str, bits: int, reference: str,
              bars: tuple[float, ...] = (5.0, 10.0)) -> dict[str, Any]:
    """Least-squares line of the lead over ``reference`` (points) against log10(training images) for one
    model and bit size: slope per tenfold images with its standard error, the lead it predicts at the paper's
    budget (:data:`PAPER_IMAGES`) with a 95 % interval of the fitted mean, the images it takes to reach each
    lead in ``bars`` (None where the slope is not above 0), and the gain of the last cycle beside the gain the
    line predicts over it (a smaller one says the curve is bending). Fewer than three points: the points and the
    last gain only.

    Two noise levels stand behind the line, and the larger is used: the scatter about it (``residual_sd``), and
    the sampling noise of each point (``point_se``: the median of :func:`~colorcnn_repro.stats.paired_se` over
    the points, from their McNemar p on the evaluation images). The points share those images and one run, so the
    scatter alone understates how far a point could move; ``slope_se_fit`` keeps the scatter's own standard error."""
    pts = sorted((r["images"], r[f"lead_{reference}"], r[f"p_{reference}"]) for r in rows
                 if r["model"] == label and r["bits"] == bits and r["images"])
    out: dict[str, Any] = {"model": label, "bits": bits, "reference": reference, "points": len(pts)}
    if len(pts) >= 2:
        out["last_gain"] = pts[-1][1] - pts[-2][1]
    if len(pts) < 3:
        return out
    x = np.log10([p[0] for p in pts])
    y = np.array([p[1] for p in pts])
    fit = stats.linregress(x, y)
    n = len(x)
    resid = y - (fit.intercept + fit.slope * x)
    scatter = math.sqrt(float(resid @ resid) / (n - 2))
    ses = [se for _, lead, p in pts if (se := paired_se(lead, p)) is not None]
    noise = float(np.median(ses)) if ses else 0.0
    s = max(scatter, noise)
    sxx = float(((x - x.mean()) ** 2).sum())
    t = float(stats.t.ppf(0.975, n - 2))
    x_paper = math.log10(PAPER_IMAGES[method])
    se_mean = s * math.sqrt(1 / n + (x_paper - x.mean()) ** 2 / sxx)
    at_paper = fit.intercept + fit.slope * x_paper
    out.update(last_gain_predicted=float(fit.slope * (x[-1] - x[-2])),
               slope=float(fit.slope), slope_se=max(float(fit.stderr), noise / math.sqrt(sxx)),
               slope_se_fit=float(fit.stderr), intercept=float(fit.intercept), residual_sd=scatter,
               point_se=noise, paper_images=PAPER_IMAGES[method], at_paper=float(at_paper),
               at_paper_ci=[float(at_paper - t * se_mean), float(at_paper + t * se_mean)],
               images_for={str(bar): (10 ** ((bar - fit.intercept) / fit.slope) if fit.slope > 0 else None)
                           for bar in bars})
    return out


def _study(profile: str, overrides: dict[str, Any] | None) -> _Study:
    return _Study(get_config("classifier", profile, overrides),
                  {label: run_config(profile, m, overrides=overrides) for label, m in curve_models(profile).items()})


def result_file(profile: str, overrides: dict[str, Any] | None = None) -> Path:
    """Where :func:`compute_curve` writes its JSON (nothing is trained or read)."""
    return result_path(resolve(profile, overrides).results, "compute_curve", _study(profile, overrides))
