"""The reproduction's scorecard: each of the paper's claims and each number this project reproduces, with the
paper's value, ours, the difference (ours − paper), the statistical test where there is one, and a verdict:
``holds``, ``does not hold`` or ``not measurable here`` (always with the reason).

Built from ``results/<profile>/*.json`` and :mod:`colorcnn_repro.experiments.paper_numbers`; written to
``results/<profile>/scorecard.json`` and, as a Markdown table, between the scorecard markers of README.md.
Regenerate with ``python -m colorcnn_repro.report.scorecard --profile cpu`` (``make report`` does it too).

Which result file is used: the one the profile's *current* config would write
(:func:`colorcnn_repro.experiments.pipeline.result_path`), else the newest complete one of its dataset and
classifier (an evaluation is complete when it holds MedianCut, ColorCNN and ColorCNN+; a study's variant
evaluations hold fewer); a classifier is the one that evaluation used, when its result is there. The scorecard
records which file it used and whether it matches the current config.
All values are in percent (accuracy) or percentage points (differences), except colours per image.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..experiments.paper_numbers import (BITS, DATASET_NAMES, JPEG_CLAIMS, METHOD_NAMES, TABLE1, TABLE4,
                                         TABLE4_DEFAULT, TABLE5, jpeg_comparison, significance_of)
from ..files import atomic_write_json
from ..paths import REPO_ROOT, results_root
from ..quantizers.classical import LEARNED_METHODS
from . import run_tool

HOLDS, FAILS, UNMEASURABLE = "holds", "does not hold", "not measurable here"
VERDICTS = (HOLDS, FAILS, UNMEASURABLE)
#: Significance level of the paired (McNemar) tests the evaluation JSON stores.
ALPHA = 0.05
#: "ColorCNN+ is close to MedianCut at 5–6 bits": at most this many points below (the paper's own gap in
#: Table 4 reaches 2.9 points at 6 bits).
CLOSE_POINTS = 3.0
#: A reproduced number holds when it is within this many points of the paper's.
NUMBER_TOLERANCE = 2.0
#: An effect (variant minus reference) within ± this much counts as "no change" (points, or colours).
EFFECT_TOLERANCE = 1.0
#: The classical methods the paper compares against (k-means and libimagequant are this project's additions).
PAPER_CLASSICAL = ("mediancut", "octree", "dither")
MAIN_METHODS = ("mediancut", *LEARNED_METHODS)
SMALL_BITS, LARGE_BITS = (1, 2), (5, 6)
CLASSIFIER_NAMES = {"alexnet": "AlexNet", "vgg16": "VGG16", "resnet18": "ResNet18"}
#: Classes of the paper's datasets: a result on a subset (e.g. 20 of Tiny-ImageNet's 200) is another task.
PAPER_CLASSES = {"cifar10": 10, "cifar100": 100, "stl10": 10, "tinyimagenet": 200}
#: Where the paper's Table 4 and Table 5 were measured.
TABLE4_SETUP, TABLE5_SETUP, TABLE5_BITS = ("cifar100", "resnet18"), ("stl10", "alexnet"), 3
#: Our study labels of the paper's Table 4 ColorCNN+ rows and Table 5 rows.
TABLE4_LABELS = {"colorcnn+ lambda=0": "λ=0", "colorcnn+ lambda=1": "λ=1", TABLE4_DEFAULT: "λ=3",
                 "colorcnn+ lambda=10": "λ=10", "colorcnn+ w/o bottleneck": "w/o bottleneck",
                 "colorcnn+ w/o top-K": "w/o top-K", "colorcnn+ w/o augmentation": "w/o augmentation",
                 "colorcnn+ CE->KD": "CE→KD"}
TABLE5_LABELS = {"colorcnn": "ColorCNN", "colorcnn w/o regularization": "w/o regularization (γ=0)",
                 "colorcnn w/o color jitter": "w/o color jitter (ξ=0)"}
RESULT_NAME = re.compile(r"^(?P<name>[a-z0-9_]+)-(?P<dataset>[a-z0-9_]+)-(?P<classifier>[a-z0-9_]+)"
                         r"-(?P<key>[0-9a-f]+)\.json$")
README = REPO_ROOT / "README.md"
BEGIN = re.compile(r"<!-- scorecard:begin profile=(?P<profile>[A-Za-z0-9_.-]+) -->\n")
END = "<!-- scorecard:end -->"

Value = float | dict[str, float | None] | None


@dataclass
class Entry:
    """One row of the scorecard. ``paper``/``ours`` are the compared quantity (a number, or one per bit),
    ``difference`` is ours − paper."""

    section: str  # "claim" or "number"
    item: str
    source: str
    setup: str
    paper: Value
    ours: Value
    difference: Value
    test: str | None
    verdict: str
    reason: str
    file: str | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {', '.join(VERDICTS)}")
        self.paper, self.ours, self.difference = (_round(v) for v in (self.paper, self.ours, self.difference))


def _round(v: Value) -> Value:
    if isinstance(v, dict):
        return {str(k): _round(x) for k, x in v.items()}
    return None if v is None else round(float(v), 2)


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
    """``{(dataset, classifier): [files]}`` of the results named ``<name>-<dataset>-<classifier>-<key>.json``."""
    out: dict[tuple[str, str], list[Path]] = {}
    for path in sorted(results_dir.glob(f"{name}-*.json")):
        m = RESULT_NAME.match(path.name)
        if m and m["name"] == name:
            out.setdefault((m["dataset"], m["classifier"]), []).append(path)
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


def is_complete_evaluation(data: dict) -> bool:
    return all(m in data.get("methods", {}) for m in MAIN_METHODS)


ExpectedPath = Callable[[str, str, str], Path | None]


def profile_result_path(profile: str) -> ExpectedPath:
    """``(stage or study name, dataset, classifier) -> the path the profile's current config writes`` (None when
    the profile or the config cannot be resolved, or a study's plan is of another setting). Imports the pipeline
    (and torch) on first use."""
    def expected(stage: str, dataset: str, classifier: str) -> Path | None:
        try:
            from ..experiments.pipeline import result_path
            from ..experiments.studies import PLANS, plan_result_path
            from ..profiles import get_config
            if stage in PLANS:  # a study: the file its plan writes, when the plan is of this setting
                plan = PLANS[stage](profile)
                clf = get_config("classifier", profile, plan.overrides)
                same = (clf.data.dataset, clf.classifier) == (dataset, classifier)
                return plan_result_path(plan, profile) if same else None
            cfg = get_config(stage, profile, {"dataset": dataset, "classifier.classifier": classifier})
        except (ImportError, ValueError, KeyError, TypeError) as exc:
            print(f"scorecard: the current {profile!r} config of {dataset}/{classifier} is unknown ({exc}); "
                  "using the newest complete result", file=sys.stderr)
            return None
        return result_path(results_root(profile), "evaluation" if stage == "evaluate" else stage, cfg)
    return expected


def load_results(results_dir: Path, expected: ExpectedPath | None = None) -> dict[str, dict[tuple[str, str], Found]]:
    """The result files the scorecard reads: ``{"evaluation" | "classifier" | study: {(dataset, classifier):
    Found}}``. A classifier is preferably the one its dataset's evaluation used (same config), so that Table 1
    and the accuracy rows describe one experiment."""
    expected = expected or (lambda *_: None)
    out: dict[str, dict[tuple[str, str], Found]] = {}
    for name, stage, accept in (("evaluation", "evaluate", is_complete_evaluation),
                                ("variants_lambda", "variants_lambda", lambda d: "variants" in d),
                                ("colorcnn_ablation", "colorcnn_ablation", lambda d: "variants" in d)):
        for (ds, clf), paths in result_files(results_dir, name).items():
            if (found := pick(paths, expected(stage, ds, clf), accept)) is not None:
                out.setdefault(name, {})[(ds, clf)] = found
    for (ds, clf), paths in result_files(results_dir, "classifier").items():
        current = expected("classifier", ds, clf)
        ev = out.get("evaluation", {}).get((ds, clf))
        used = None if ev is None else ev.data.get("config", {}).get("classifier")
        found = pick(paths, None, lambda d: used is not None and d.get("config") == used)
        if found is not None and current is not None:
            found = replace(found, current=found.path.resolve() == current.resolve())
        if (found := found or pick(paths, current, lambda d: "metrics" in d)) is not None:
            out.setdefault("classifier", {})[(ds, clf)] = found
    return out


# ------------------------------------------------------------------------------------------ value helpers

def setup_name(dataset: str, classifier: str, classes: int | None = None) -> str:
    """``CIFAR10 · AlexNet``; the class count is added when it is not the paper's (a subset)."""
    out = f"{DATASET_NAMES.get(dataset, dataset)} · {CLASSIFIER_NAMES.get(classifier, classifier)}"
    return out if classes in (None, PAPER_CLASSES.get(dataset)) else f"{out} ({classes} classes)"


def accuracy(result: dict, method: str, bits: int) -> float | None:
    """Accuracy (%) of ``method`` at ``bits`` in an evaluation (or a study variant), or None."""
    point = result.get("methods", {}).get(method, {}).get(str(bits))
    return None if point is None else 100 * point["accuracy"]


def difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def mean(values: Iterable[float | None]) -> float | None:
    values = list(values)
    return None if not values or any(v is None for v in values) else sum(values) / len(values)


def name(method: str) -> str:
    return METHOD_NAMES.get(method, method)


def p_test(result: dict, bits: int, a: str, b: str) -> tuple[float | None, str | None]:
    sig = significance_of(result, bits, a, b)
    if sig is None:
        return None, None
    return sig["p"], f"McNemar vs {name(b)}, p = {sig['p']:.2g}"


def wilson(p: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion ``p`` measured on ``n`` items."""
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


# ------------------------------------------------------------------------------------------ verdicts

def _gap(diff: float, than: str) -> str:
    return f"{abs(diff):.1f} points {'above' if diff > 0 else 'below'} {than}" if diff else f"level with {than}"


def verdict_ahead(diff: float, p: float | None, than: str, sign: int = 1) -> tuple[str, str]:
    """``diff`` has the sign ``sign`` (+1: ahead of ``than``, -1: behind it) and is significant (p < ALPHA)."""
    if diff * sign <= 0:
        return FAILS, _gap(diff, than)
    if p is None:
        return FAILS, f"{_gap(diff, than)} but no paired test stored"
    if p >= ALPHA:
        return FAILS, f"{_gap(diff, than)} but not significant (p = {p:.2g} ≥ {ALPHA})"
    return HOLDS, f"{_gap(diff, than)}, significant"


def verdict_behind(diff: float, p: float | None, than: str) -> tuple[str, str]:
    """``diff`` < 0 and significant."""
    return verdict_ahead(diff, p, than, sign=-1)


def verdict_close(diff: float, than: str, points: float = CLOSE_POINTS) -> tuple[str, str]:
    """Not more than ``points`` below ``than`` (tolerance rules compare values rounded to 0.1, as shown)."""
    if round(diff, 1) >= -points:
        return HOLDS, f"{diff:+.1f} points from {than}, within −{points:g}"
    return FAILS, f"{-diff:.1f} points below {than}, more than {points:g}"


def verdict_number(diff: float, tolerance: float = NUMBER_TOLERANCE) -> tuple[str, str]:
    """Within ± ``tolerance`` of the paper's value (at the 0.1 resolution the paper prints)."""
    if abs(round(diff, 1)) <= tolerance:
        return HOLDS, f"{diff:+.1f} points, within ±{tolerance:g}"
    return FAILS, f"{diff:+.1f} points, beyond ±{tolerance:g}"


def direction(x: float, tolerance: float = EFFECT_TOLERANCE) -> str:
    x = round(x, 1)
    return "up" if x > tolerance else "down" if x < -tolerance else "no change"


def verdict_effect(paper: float, ours: float, tolerance: float = EFFECT_TOLERANCE) -> tuple[str, str]:
    """Same direction of an effect (up / down / no change within ± ``tolerance``)."""
    a, b = direction(paper, tolerance), direction(ours, tolerance)
    if a == b:
        return HOLDS, f"same direction ({a}; ±{tolerance:g} counts as no change)"
    return FAILS, f"paper: {a}, here: {b} (±{tolerance:g} counts as no change)"


# ------------------------------------------------------------------------------------------ claims

def claim_small_colors(ev: Found, setup: str) -> list[Entry]:
    """Sec. 4.3.3 / Fig. 12: both ColorCNNs significantly beat the classical methods at 1 and 2 bits."""
    out = []
    for method in LEARNED_METHODS:
        for bits in SMALL_BITS:
            item = f"{name(method)} − best classical method, {bits} bit"
            source = "Sec. 4.3.3, Fig. 12; paper: Table 4, vs MedianCut"
            paper = TABLE4[table4_key(method)][bits] - TABLE4["mediancut"][bits]
            ours = accuracy(ev.data, method, bits)
            classical = {m: accuracy(ev.data, m, bits) for m in PAPER_CLASSICAL}
            classical = {m: a for m, a in classical.items() if a is not None}
            if ours is None or not classical:
                out.append(Entry("claim", item, source, setup, paper, None, None, None, UNMEASURABLE,
                                 f"no {name(method)} or classical result at {bits} bit in the evaluation", ev.name))
                continue
            best = max(classical, key=classical.get)
            diff = ours - classical[best]
            p, test = p_test(ev.data, bits, method, best)
            out.append(Entry("claim", item, source, setup, paper, diff, diff - paper, test,
                             *verdict_ahead(diff, p, name(best)), ev.name))
    return out


def table4_key(method: str) -> str:
    return TABLE4_DEFAULT if method == "colorcnn+" else method


def claim_large_colors(ev: Found, setup: str) -> list[Entry]:
    """Sec. 4.3.3: at 5–6 bits ColorCNN+ stays close to MedianCut while ColorCNN falls behind it."""
    out = []
    source = "Sec. 4.3.3, Fig. 12; paper: Table 4"
    for method, what, judge in (("colorcnn+", "close to", lambda d, p: verdict_close(d, "MedianCut")),
                                ("colorcnn", "behind", lambda d, p: verdict_behind(d, p, "MedianCut"))):
        for bits in LARGE_BITS:
            item = f"{name(method)} {what} MedianCut, {bits} bit ({name(method)} − MedianCut)"
            paper = TABLE4[table4_key(method)][bits] - TABLE4["mediancut"][bits]
            ours, mc = accuracy(ev.data, method, bits), accuracy(ev.data, "mediancut", bits)
            if ours is None or mc is None:
                out.append(Entry("claim", item, source, setup, paper, None, None, None, UNMEASURABLE,
                                 f"no {name(method)} or MedianCut result at {bits} bit in the evaluation", ev.name))
                continue
            p, test = p_test(ev.data, bits, method, "mediancut")
            out.append(Entry("claim", item, source, setup, paper, ours - mc, ours - mc - paper, test,
                             *judge(ours - mc, p), ev.name))
    return out


def claim_dither(ev: Found, setup: str) -> list[Entry]:
    """Sec. 4.5 / Fig. 12: dithering (for human viewers) harms recognition in small colour spaces."""
    out = []
    for bits in SMALL_BITS:
        item = f"MedianCut+Dither − MedianCut, {bits} bit"
        source = "Sec. 4.5, Fig. 12; no value printed"
        ours, mc = accuracy(ev.data, "dither", bits), accuracy(ev.data, "mediancut", bits)
        if ours is None or mc is None:
            out.append(Entry("claim", item, source, setup, None, None, None, None, UNMEASURABLE,
                             f"no dither or MedianCut result at {bits} bit in the evaluation", ev.name))
            continue
        p, test = p_test(ev.data, bits, "dither", "mediancut")
        out.append(Entry("claim", item, source, setup, None, ours - mc, None, test,
                         *verdict_behind(ours - mc, p, "MedianCut"), ev.name))
    return out


def claim_jpeg(ev: Found, setup: str) -> list[Entry]:
    """Sec. 4.4 / Fig. 16: 1-bit ColorCNN (+13.2) and ColorCNN+ (+19.3) beat JPEG at low bitrates."""
    out = []
    for method, claim in JPEG_CLAIMS.items():
        bits = claim["bits"]
        item = f"{bits}-bit {name(method)} − best JPEG at ≤ its bitrate"
        source = f"Sec. 4.4, Fig. 16; paper: under {claim['max_bpp']} \"bpp\" (bytes per pixel in the authors' code)"
        if accuracy(ev.data, method, bits) is None or not ev.data.get("jpeg"):
            out.append(Entry("claim", item, source, setup, claim["gain"], None, None, None, UNMEASURABLE,
                             f"no {bits}-bit {name(method)} or no JPEG curve in the evaluation", ev.name))
            continue
        cmp = jpeg_comparison(ev.data, method, bits)
        bpp = cmp["ours"]["bpp"]
        if cmp["gain"] is None:
            lowest = min(j["bpp"] for j in ev.data["jpeg"])
            out.append(Entry("claim", item, source, setup, claim["gain"], None, None, None, UNMEASURABLE,
                             f"no JPEG point as cheap as {name(method)}'s {bpp:.2f} bpp (lowest JPEG: {lowest:.2f} "
                             "bpp at this image size)", ev.name))
            continue
        gain = cmp["gain"]
        verdict = (HOLDS, f"{gain:.1f} points above JPEG quality {cmp['jpeg']['quality']} at {bpp:.2f} bpp") \
            if gain > 0 else (FAILS, f"{-gain:.1f} points below JPEG quality {cmp['jpeg']['quality']}")
        out.append(Entry("claim", item, source, setup, claim["gain"], gain, gain - claim["gain"],
                         "none (different bitrates; no paired test)", *verdict, ev.name))
    return out


def study_setup(study: Found) -> tuple[str, str, int | None]:
    """``(dataset, classifier, classes)`` a study ran on."""
    cfg = study.data.get("config", {}).get("classifier", {})
    variant = next(iter(study.data.get("variants", {}).values()), {})
    return cfg.get("data", {}).get("dataset", "?"), cfg.get("classifier", "?"), variant.get("data", {}).get("num_classes")


def claim_lambda(study: Found | None) -> list[Entry]:
    """Sec. 4.5 / Table 4: a larger λ costs accuracy at 1–2 bits and gains it at 5–6 bits."""
    out = []
    lo, hi = "colorcnn+ lambda=0", "colorcnn+ lambda=10"
    for bits, sign in ((SMALL_BITS, "down"), (LARGE_BITS, "up")):
        span = f"{bits[0]}–{bits[-1]} bits"
        item = f"ColorCNN+ λ=10 − λ=0, mean over {span}"
        source = "Sec. 4.5, Table 4 / Fig. 15"
        paper = mean(TABLE4[hi][b] - TABLE4[lo][b] for b in bits)
        if study is None:
            out.append(Entry("claim", item, source, "—", paper, None, None, None, UNMEASURABLE,
                             "no variants_lambda study in the results"))
            continue
        ds, clf, _ = study_setup(study)
        a, b = (study.data["variants"].get(TABLE4_LABELS[k], {}) for k in (hi, lo))
        ours = mean(difference(accuracy(a, "colorcnn+", x), accuracy(b, "colorcnn+", x)) for x in bits)
        if ours is None:
            out.append(Entry("claim", item, source, setup_name(ds, clf), paper, None, None, None, UNMEASURABLE,
                             f"the study lacks λ=0 or λ=10 at {span}", study.name))
            continue
        ok = direction(ours, 0) == sign
        reason = f"{ours:+.1f} points: " + ("accuracy " + ("falls" if sign == "down" else "rises") + " with λ"
                                            if ok else "the opposite direction")
        out.append(Entry("claim", item, source, setup_name(ds, clf), paper, ours, ours - paper,
                         "none (the study stores no paired test between variants)", HOLDS if ok else FAILS, reason,
                         study.name))
    return out


# ------------------------------------------------------------------------------------------ numbers

def numbers_table1(classifiers: dict[tuple[str, str], Found]) -> list[Entry]:
    """Table 1, AlexNet row: classifier accuracy on original images."""
    out = []
    for (ds, clf), paper in TABLE1.items():
        if clf != "alexnet":
            continue
        item, source, setup = f"Table 1: AlexNet on {DATASET_NAMES[ds]}", "Table 1", setup_name(ds, clf)
        found = classifiers.get((ds, clf))
        if found is None:
            out.append(Entry("number", item, source, setup, paper, None, None, None, UNMEASURABLE,
                             f"no classifier-{ds}-{clf}-*.json in the results"))
            continue
        data = found.data.get("data", {})
        ours, n = 100 * found.data["metrics"]["accuracy"], data.get("count")
        test = None if not n else "95 % CI {:.1f}–{:.1f} (n = {:,})".format(*(100 * x for x in wilson(ours / 100, n)), n)
        classes = data.get("num_classes")
        if classes is not None and classes != PAPER_CLASSES[ds]:
            out.append(Entry("number", item, source, setup_name(ds, clf, classes), paper, ours, None, test,
                             UNMEASURABLE, f"{classes}-class subset here, {PAPER_CLASSES[ds]} classes in the paper",
                             found.name))
            continue
        verdict, reason = verdict_number(ours - paper)
        if data.get("split") not in (None, "test"):
            reason += f" (ours on the {data['split']} split, the paper's on the test set)"
        out.append(Entry("number", item, source, setup, paper, ours, ours - paper, test, verdict, reason, found.name))
    return out


def per_bit(result: dict, method: str, bits: Sequence[int] = BITS) -> dict[str, float | None]:
    return {str(b): accuracy(result, method, b) for b in bits}


def numbers_fig12(evaluations: dict[tuple[str, str], Found]) -> list[Entry]:
    """Fig. 12's curves. Only the CIFAR100 · ResNet18 panel has printed values (Table 4's main rows); the
    other panels are plots."""
    out = []
    setup = setup_name(*TABLE4_SETUP)
    ev = evaluations.get(TABLE4_SETUP)
    for method in MAIN_METHODS:
        item, source = f"{name(method)}, 1–6 bits", "Table 4 = Fig. 12's CIFAR100 · ResNet18 panel"
        paper = {str(b): v for b, v in TABLE4[table4_key(method)].items()}
        ours = None if ev is None else per_bit(ev.data, method)
        if ours is None or any(v is None for v in ours.values()):
            out.append(Entry("number", item, source, setup, paper, ours, None, None, UNMEASURABLE,
                             f"no {setup} evaluation with {name(method)} at 1–6 bits in the results",
                             None if ev is None else ev.name))
            continue
        diff = {b: ours[b] - paper[b] for b in paper}
        worst = max(diff.values(), key=abs)
        verdict, reason = verdict_number(worst)
        out.append(Entry("number", item, source, setup, paper, ours, diff, None, verdict,
                         f"largest gap {reason}", ev.name))
    for (ds, clf), found in sorted(evaluations.items()):
        if (ds, clf) == TABLE4_SETUP:
            continue
        setup = setup_name(ds, clf, found.data.get("data", {}).get("num_classes"))
        out.append(Entry("number", "ColorCNN+, 1–6 bits", f"Fig. 12, {setup} panel", setup, None, per_bit(found.data, "colorcnn+"), None, None, UNMEASURABLE,
                         "the paper draws this panel without printing its values; the claims above test its shape",
                         found.name))
    return out


def _effect_rows(item: str, source: str, setup: tuple[str, str], paper_setup: tuple[str, str],
                 paper_value: float | None, paper_ref: float | None, ours: float | None, ours_ref: float | None,
                 study: Found, unit: str = "points") -> Entry:
    """A study row: absolute comparison when the study ran on the paper's setup, else the direction of the
    effect against the reference row."""
    where = setup_name(*setup)
    if ours is None or ours_ref is None or paper_value is None or paper_ref is None:
        return Entry("number", item, source, where, paper_value, ours, None, None, UNMEASURABLE,
                     "the study lacks this row or its reference", study.name)
    if setup == paper_setup:
        verdict, reason = verdict_number(ours - paper_value)
        return Entry("number", item, source, where, paper_value, ours, ours - paper_value, None, verdict, reason,
                     study.name)
    paper_effect, ours_effect = paper_value - paper_ref, ours - ours_ref
    verdict, reason = verdict_effect(paper_effect, ours_effect)
    return Entry("number", f"{item}: change from the reference row ({unit})", source, where, paper_effect, ours_effect,
                 ours_effect - paper_effect, "none (the study stores no paired test between variants)", verdict,
                 f"{reason}; absolute values not comparable ({where} here, {setup_name(*paper_setup)} in the paper)",
                 study.name)


def numbers_table4(study: Found | None) -> list[Entry]:
    """Table 4's ColorCNN+ variants: mean accuracy over the bits both evaluate, against λ=3."""
    out = []
    for key, label in TABLE4_LABELS.items():
        item, source = f"Table 4: ColorCNN+ {label}, mean over bits", "Table 4"
        if study is None:
            out.append(Entry("number", item, source, "—", mean(TABLE4[key].values()), None, None, None, UNMEASURABLE,
                             "no variants_lambda study in the results"))
            continue
        ds, clf, _ = study_setup(study)
        variants = study.data["variants"]
        mine, ref = variants.get(label, {}), variants.get(TABLE4_LABELS[TABLE4_DEFAULT], {})
        bits = sorted(int(b) for b in mine.get("methods", {}).get("colorcnn+", {}))
        ours, ours_ref = (mean(accuracy(v, "colorcnn+", b) for b in bits) if bits else None for v in (mine, ref))
        paper, paper_ref = (mean(TABLE4[k][b] for b in bits) if bits else None for k in (key, TABLE4_DEFAULT))
        if key == TABLE4_DEFAULT and (ds, clf) != TABLE4_SETUP:
            out.append(Entry("number", item, source, setup_name(ds, clf), paper, ours, None, None, UNMEASURABLE,
                             f"the reference row; its absolute value is not comparable ({setup_name(ds, clf)} here, "
                             f"{setup_name(*TABLE4_SETUP)} in the paper)", study.name))
            continue
        out.append(_effect_rows(item, source, (ds, clf), TABLE4_SETUP, paper, paper_ref, ours, ours_ref, study))
    return out


def numbers_table5(study: Found | None) -> list[Entry]:
    """Table 5 (3 bits): ColorCNN and its variants, accuracy and colours per image, against ColorCNN.
    Its bits per pixel are not compared (the authors' code measured bytes per pixel of RGB PNGs)."""
    out = []
    for key, label in TABLE5_LABELS.items():
        for metric, unit, scale in (("accuracy", "points", 100), ("colors_used", "colours", 1)):
            item = f"Table 5: {label}, {'accuracy' if metric == 'accuracy' else 'colours per image'}"
            paper, paper_ref = TABLE5[key][metric], TABLE5["colorcnn"][metric]
            if study is None:
                out.append(Entry("number", item, "Table 5", "—", paper, None, None, None, UNMEASURABLE,
                                 "no colorcnn_ablation study in the results"))
                continue
            ds, clf, _ = study_setup(study)

            def value(lab: str) -> float | None:
                point = study.data["variants"].get(lab, {}).get("methods", {}).get("colorcnn", {}).get(str(TABLE5_BITS))
                return None if point is None else scale * point[metric]

            ours, ours_ref = value(label), value(TABLE5_LABELS["colorcnn"])
            if key == "colorcnn" and (ds, clf) != TABLE5_SETUP:
                out.append(Entry("number", item, "Table 5", setup_name(ds, clf), paper, ours, None, None, UNMEASURABLE,
                                 f"the reference row; its absolute value is not comparable ({setup_name(ds, clf)} "
                                 f"here, {setup_name(*TABLE5_SETUP)} in the paper)", study.name))
                continue
            out.append(_effect_rows(item, "Table 5", (ds, clf), TABLE5_SETUP, paper, paper_ref, ours, ours_ref,
                                    study, unit))
    return out


# ------------------------------------------------------------------------------------------ the scorecard

def build(profile: str, results_dir: Path | None = None, expected: ExpectedPath | None | bool = True) -> dict:
    """The scorecard of ``profile`` from ``results_dir`` (default ``results/<profile>``). ``expected``: True
    looks up the file the profile's current config writes (imports torch), False/None skips that."""
    results_dir = Path(results_dir) if results_dir is not None else results_root(profile)
    if not results_dir.is_dir():
        raise FileNotFoundError(f"no results folder {results_dir}; run `colorcnn reproduce --profile {profile}` first")
    if expected is True:
        expected = profile_result_path(profile)
    found = load_results(results_dir, expected or None)
    evaluations = found.get("evaluation", {})
    entries: list[Entry] = []
    for (ds, clf), ev in sorted(evaluations.items()):
        setup = setup_name(ds, clf, ev.data.get("data", {}).get("num_classes"))
        entries += claim_small_colors(ev, setup) + claim_large_colors(ev, setup) + claim_dither(ev, setup)
        entries += claim_jpeg(ev, setup)
    if not evaluations:
        entries.append(Entry("claim", "Fig. 12 / Fig. 16 claims", "Sec. 4.3–4.4", "—", None, None, None, None,
                             UNMEASURABLE, "no complete evaluation (MedianCut, ColorCNN, ColorCNN+) in the results"))
    lam, abl = (next(iter(sorted(found.get(s, {}).items())), (None, None))[1]
                for s in ("variants_lambda", "colorcnn_ablation"))
    entries += claim_lambda(lam)
    entries += numbers_table1(found.get("classifier", {})) + numbers_fig12(evaluations)
    entries += numbers_table4(lam) + numbers_table5(abl)
    sources = {f"{kind}:{ds}:{clf}": {"file": f.name, "config_key": f.data.get("config_key"),
                                      "matches_current_config": f.current}
               for kind, per in sorted(found.items()) for (ds, clf), f in sorted(per.items())}
    return {"profile": profile, "sources": sources,
            "settings": {"alpha": ALPHA, "close_points": CLOSE_POINTS, "number_tolerance": NUMBER_TOLERANCE,
                         "effect_tolerance": EFFECT_TOLERANCE},
            "summary": {v: sum(e.verdict == v for e in entries) for v in VERDICTS},
            "entries": [asdict(e) for e in entries]}


def _fmt(v: Value, signed: bool = False) -> str:
    if v is None:
        return "—"
    if isinstance(v, dict):
        return " / ".join(_fmt(x, signed) for x in v.values())
    return f"{v:+.1f}" if signed else f"{v:.1f}"


def rows(card: dict) -> list[list[str]]:
    """The scorecard as table rows, header first (shared by the Markdown and the HTML renderings)."""
    out = [["", "claim or number (source)", "setup here", "paper", "here", "difference", "test", "verdict"]]
    for i, e in enumerate(card["entries"], 1):
        signed = e["section"] == "claim" or "change" in e["item"] or "−" in e["item"]
        out.append([str(i), f"{e['item']} ({e['source']})", e["setup"], _fmt(e["paper"], signed),
                    _fmt(e["ours"], signed), _fmt(e["difference"], True), e["test"] or "—",
                    f"**{e['verdict']}**: {e['reason']}"])
    return out


def summary_line(card: dict) -> str:
    s = card["summary"]
    return (f"`{card['profile']}` profile: {s[HOLDS]} hold, {s[FAILS]} do not hold, {s[UNMEASURABLE]} not "
            f"measurable here.")


def to_markdown(card: dict) -> str:
    """The README block: a summary, the sources, and the table."""
    stale = [v["file"] for v in card["sources"].values() if not v["matches_current_config"]]
    lines = [f"Scorecard of the {summary_line(card)} Paper values of Table 4 were measured on "
             f"{setup_name(*TABLE4_SETUP)}, of Table 5 on {setup_name(*TABLE5_SETUP)}. Generated from `{scorecard_path_name(card['profile'])}` by "
             f"`python -m colorcnn_repro.report.scorecard --profile {card['profile']}` (also run by `make report`); "
             "do not edit by hand.", ""]
    if stale:
        lines += ["Results read that the profile's current config would not write (older configs; newest complete "
                  "file used): " + ", ".join(f"`{Path(f).name}`" for f in stale) + ".", ""]
    table = [[c.replace("|", "\\|") for c in r] for r in rows(card)]
    table.insert(1, ["---"] * len(table[0]))
    lines += ["| " + " | ".join(r) + " |" for r in table]
    return "\n".join(lines) + "\n"


def scorecard_path(profile: str) -> Path:
    return results_root(profile) / "scorecard.json"


def scorecard_path_name(profile: str) -> str:
    return _rel(scorecard_path(profile))


def write(card: dict, path: Path | None = None) -> Path:
    """Write the scorecard JSON atomically, keys in the card's order."""
    path = path or scorecard_path(card["profile"])
    atomic_write_json(card, path, sort_keys=False, ensure_ascii=False)
    return path


def readme_block(text: str) -> tuple[str, str] | None:
    """``(profile, content)`` between the README's scorecard markers, or None when it has none."""
    m = BEGIN.search(text)
    if m is None:
        return None
    end = text.find(END, m.end())
    if end < 0:
        raise ValueError(f"README scorecard block opened by {m.group(0).strip()!r} has no {END!r}")
    return m["profile"], text[m.end():end]


def update_readme(card: dict, readme: Path = README) -> bool:
    """Replace the README's scorecard block when it is this profile's; True when the file changed."""
    text = readme.read_text()
    block = readme_block(text)
    if block is None or block[0] != card["profile"]:
        return False
    new = to_markdown(card)
    if block[1] == new:
        return False
    m = BEGIN.search(text)
    readme.write_text(text[:m.end()] + new + text[text.find(END, m.end()):])
    return True


def regenerate(profile: str, readme: Path | None = README) -> tuple[dict, Path]:
    """Build and write ``results/<profile>/scorecard.json``; refresh the README block when it is this
    profile's."""
    card = build(profile)
    path = write(card)
    if readme is not None:
        update_readme(card, readme)
    return card, path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m colorcnn_repro.report.scorecard", description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="cpu", help="results/<profile>/ to score (default: %(default)s)")
    parser.add_argument("--no-readme", action="store_true", help="do not refresh README.md's scorecard block")
    args = parser.parse_args(argv)

    def score() -> str:
        card, path = regenerate(args.profile, None if args.no_readme else README)
        return f"{summary_line(card)} → {_rel(path)}"

    return run_tool("scorecard", score)


if __name__ == "__main__":
    sys.exit(main())
