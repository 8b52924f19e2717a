"""The reproduction's scorecard: every claim and printed number of the paper's Sec. 4, with the paper's value,
ours, the test and a verdict: ``holds``, ``does not hold``, ``inconclusive`` or ``not measurable here`` (always
with the reason).

Built from ``results/<profile>/*.json`` and :mod:`colorcnn_repro.paper_numbers`; written to
``results/<profile>/scorecard.json`` and, as a Markdown table, between the scorecard markers of README.md.
Regenerate with ``colorcnn scorecard --profile cpu`` (``make report`` does it too).
Values are percent (accuracy) or points (differences), colours per image, or bits per pixel (bpp).

Scope: the results of Sec. 4 (Tables 1–5, Figs. 10–18 and the text about them). Sec. 4.1's training settings
are inputs, not results (``docs/paper-vs-code.md`` compares them); statements about the methods' design (one
ColorCNN+ model for every size, no neural decoder) are not results either. Visual judgements on example images
are listed as not measurable.

Rules, the same for every row:

* Nothing is rounded before a comparison; values are rounded for display only.
* Numbers: a reproduced number holds when the paper's value lies inside our 95 % Wilson interval (n = images
  evaluated); per-bit rows need every bit inside. A number measured on another setup than the paper's (or on a
  class subset) is not measurable.
* Setups: nothing is subtracted across setups. Every row names our setup and the paper's; the difference
  column (ours − paper) is filled only where they are the same.
* Paired claims (method A above or below B on the same images) use the exact McNemar test the evaluation stores,
  Holm-corrected within a family; a claim holds when the difference has the claimed sign and the Holm-adjusted
  p < ALPHA, does not hold when it goes the other way with Holm p < ALPHA, and is inconclusive otherwise (the test
  tells the difference from none in neither direction: not shown, not refuted). Without a stored test the row is
  not measurable. Families, one per setup here (each row stores its family, raw p and Holm p):

  - ``1–2 bits: learned above the paper's classical methods``: ColorCNN and ColorCNN+ at 1 and 2 bits against
    the strongest of MedianCut, OCTree and MedianCut+Dither at that size (4 tests);
  - ``1–2 bits: learned above the strongest classical method here``: the same against the strongest of every
    classical method here, k-means and libimagequant included (4 tests);
  - ``5–6 bits: ColorCNN behind the paper's classical methods``: against the weakest of the three (2 tests);
  - ``5–6 bits: ColorCNN+ above ColorCNN`` (2 tests);
  - ``1–2 bits: dithering behind MedianCut`` (2 tests).

* "ColorCNN+ close to MedianCut" (5–6 bits) is non-inferiority at :data:`CLOSE_MARGIN` points, a margin fixed
  before the rows were judged (the paper's own gap is on another setup and is no tolerance here): holds when the
  difference's 97.5 % interval (standard error from the raw McNemar p; Bonferroni over the two sizes) lies above
  −margin, does not hold when it lies below, inconclusive when it crosses it.

* Unpaired comparisons (points at different bitrates or sizes, JPEG, whose per-image results are not stored):
  significant only when the two 95 % Wilson intervals are disjoint. No p-value is given (none is invented),
  and these rows belong to no family. The JPEG claims are judged a fortiori: when our 1-bit point has a lower
  bitrate than the cheapest JPEG and is still significantly more accurate, the claim "beats JPEG at ≤ its
  bitrate" holds a fortiori (JPEG cannot go cheaper).
* Effects (a study variant − its baseline variant): judged against a measured noise level, the spread of
  :data:`MIN_SEEDS` or more seeds of the study's reference variant (:data:`STUDY_REFERENCE`). For each
  quantity, s = the sample standard deviation over the reference's seeds and the band is
  t95(n − 1) · s · √(1/m + 1/k) (n seeds of the reference, m and k runs averaged on the variant and the baseline
  side): a direction ("up"/"down") is claimed only beyond the band. A claimed direction holds when ours goes
  that way beyond the band, does not hold when ours goes the other way beyond it, and is inconclusive within it;
  "similar" holds within the band; "not down" holds unless ours is down beyond it.
  Without enough seeds the row is not measurable (paper value and ours are still shown).

Seed replicates (noise levels): in a study JSON's ``variants``, a replicate of variant ``<label>`` is a variant
labelled ``<label> (seed N)`` whose overrides are ``<label>``'s plus the learned quantizer's seed
(``colorcnn.seed: N`` or ``colorcnn_plus.seed: N``). The variant itself counts as one seed; replicates with the
same ``evaluation_key`` are one run. Averages over replicates are used on both sides of an effect.

Which result file is used: the one the profile's *current* config would write
(:func:`colorcnn_repro.results.result_path`), else the newest complete one of its dataset and
classifier (an evaluation is complete when it holds MedianCut, ColorCNN and ColorCNN+); a classifier is the one
that evaluation used, when its result is there. The scorecard records which file it used.
"""
from __future__ import annotations

import json
import math
import re
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path

from ..files import atomic_write_json
from ..imitation_schedule import READING_PREFIX, READINGS
from ..names import CLASSIFIER_NAMES, DATASET_NAMES, METHOD_NAMES
from ..paper_numbers import (
    BITS,
    BOTTLENECK_DELTAS,
    CLASSIFIERS,
    DATASETS,
    JPEG_CLAIMS,
    STYLE14_GAIN_1BIT,
    TABLE1,
    TABLE2,
    TABLE3,
    TABLE4,
    TABLE4_DEFAULT,
    TABLE4_REBUILT,
    TABLE4_UNCERTAIN,
    TABLE5,
    TINY200_MEDIANCUT_1BIT,
    ordered_methods,
    significance_of,
)
from ..paths import REPO_ROOT, results_root
from ..quantizers.classical import LEARNED_METHODS
from ..quantizers.classical import METHODS as CLASSICAL_METHODS
from ..results import classifier_accuracy
from ..stats import paired_se, z_two_sided
from . import ExpectedPath

HOLDS, FAILS, INCONCLUSIVE, UNMEASURABLE = "holds", "does not hold", "inconclusive", "not measurable here"
VERDICTS = (HOLDS, FAILS, INCONCLUSIVE, UNMEASURABLE)
#: The non-inferiority margin of the "close to MedianCut" claims, fixed before they were judged (points).
CLOSE_MARGIN = 2.0
#: Significance level of every test, after Holm's correction within a family.
ALPHA = 0.05
Z95 = 1.959964
#: Seeds of a study's reference variant needed for a noise level.
MIN_SEEDS = 3
#: Two-sided 95 % quantiles of Student's t up to 10 degrees of freedom (beyond: Cornish–Fisher, see t95).
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}
PAPER_CLASSICAL = ("mediancut", "octree", "dither")
CLASSICAL_HERE = tuple(CLASSICAL_METHODS)
MAIN_METHODS = ("mediancut", *LEARNED_METHODS)
SMALL_BITS, LARGE_BITS = (1, 2), (5, 6)
#: Classes of the paper's datasets: a result on a subset (e.g. 20 of Tiny-ImageNet's 200) is another task.
PAPER_CLASSES = {"cifar10": 10, "cifar100": 100, "stl10": 10, "tinyimagenet": 200}
TABLE4_SETUP, TABLE5_SETUP, TABLE5_BITS = ("cifar100", "resnet18"), ("stl10", "alexnet"), 3
NOT_STATED = "not stated"
#: Our study labels of Table 4's ColorCNN+ rows, and the display names of every Table 4 row.
TABLE4_LABELS = {"colorcnn+ lambda=0": "λ=0", "colorcnn+ lambda=1": "λ=1", TABLE4_DEFAULT: "λ=3",
                 "colorcnn+ lambda=10": "λ=10", "colorcnn+ w/o bottleneck": "w/o bottleneck",
                 "colorcnn+ w/o top-K": "w/o top-K", "colorcnn+ w/o augmentation": "w/o augmentation",
                 "colorcnn+ CE->KD": "CE→KD"}
TABLE4_NAMES = {"mediancut": "MedianCut", "colorcnn": "ColorCNN", **TABLE4_LABELS}
TABLE5_LABELS = {"colorcnn": "ColorCNN", "colorcnn w/o regularization": "w/o regularization (γ=0)",
                 "colorcnn w/o color jitter": "w/o color jitter (ξ=0)"}
#: Each study's reference variant (its seeds give the noise level); other studies: the label "… (default)".
STUDY_REFERENCE = {"variants_lambda": "λ=3", "colorcnn_ablation": "ColorCNN"}
SEED_LABEL = re.compile(r"^(?P<label>.+) \(seed (?P<seed>\d+)\)$")
FAMILIES = {
    "small_paper": "1–2 bits: learned above the paper's classical methods",
    "small_here": "1–2 bits: learned above the strongest classical method here",
    "behind": "5–6 bits: ColorCNN behind the paper's classical methods",
    "plus_over": "5–6 bits: ColorCNN+ above ColorCNN",
    "dither": "1–2 bits: dithering behind MedianCut",
}
RESULT_NAME = re.compile(r"^(?P<name>[a-z0-9_]+)-(?P<dataset>[a-z0-9_]+)-(?P<classifier>[a-z0-9_]+)"
                         r"-(?P<key>[0-9a-f]+)\.json$")
README = REPO_ROOT / "README.md"
#: The full table (README.md holds a summary block).
SCORECARD_DOC = REPO_ROOT / "docs" / "scorecard.md"
BEGIN = re.compile(r"<!-- scorecard:begin profile=(?P<profile>[A-Za-z0-9_.-]+) -->\n")
END = "<!-- scorecard:end -->"

Value = float | Mapping[str, float | None] | None


@dataclass
class Entry:
    """One row of the scorecard. ``paper``/``ours`` are the compared quantity (a number, or one per key),
    ``difference`` is ours − paper (only when ``setup`` is ``paper_setup``)."""

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
    paper_setup: str | None = None
    family: str | None = None
    p: float | None = None
    p_holm: float | None = None
    noise: dict | None = None
    flags: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {', '.join(VERDICTS)}")
        self.paper, self.ours, self.difference = (_round(v) for v in (self.paper, self.ours, self.difference))


def _round(v: Value) -> Value:
    """Stored values are rounded to 0.01 (display); every verdict is computed before, on the exact values."""
    if isinstance(v, Mapping):
        return {str(k): None if x is None else round(float(x), 2) for k, x in v.items()}
    return None if v is None else round(float(v), 2)


@dataclass
class Pending:
    """A paired-test row whose verdict waits for its family's Holm adjustment: ``decide(holm_p)``."""

    entry: Entry
    decide: Callable[[float | None], tuple[str, str]]


Row = Entry | Pending


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


def uses_config(config: dict | None, data: dict) -> bool:
    """``data`` was computed with ``config`` (a classifier config), which is known."""
    return config is not None and data.get("config") == config


def is_complete_evaluation(data: dict) -> bool:
    return all(m in data.get("methods", {}) for m in MAIN_METHODS)


#: Studies read (with the plan-based current file) and the data studies only looked for (never scored yet).
STUDIES = ("variants_lambda", "colorcnn_ablation", "colorcnn_plus_ablation")
DATA_STUDIES = ("multilabel_voc", "stylized")


def load_results(results_dir: Path, expected: ExpectedPath | None = None) -> dict[str, dict[tuple[str, str], Found]]:
    """The result files the scorecard reads: ``{"evaluation" | "classifier" | study: {(dataset, classifier):
    Found}}``. A classifier is preferably the one its dataset's evaluation used (same config), so that Table 1
    and the accuracy rows describe one experiment."""
    expected = expected or (lambda *_: None)
    has_variants = lambda d: "variants" in d  # noqa: E731
    out: dict[str, dict[tuple[str, str], Found]] = {}
    readers = [("evaluation", "evaluate", is_complete_evaluation), *((s, s, has_variants) for s in STUDIES),
               *((s, None, has_variants) for s in DATA_STUDIES)]
    for name, stage, accept in readers:
        for (ds, clf), paths in result_files(results_dir, name).items():
            current = expected(stage, ds, clf) if stage else None
            if (found := pick(paths, current, accept)) is not None:
                out.setdefault(name, {})[(ds, clf)] = found
    for schedule in READINGS.values():  # each reading's evaluation, where the profile's config has one
        for ds, clf in list(out.get("evaluation", {})):
            path = expected(READING_PREFIX + schedule, ds, clf)
            if path is not None and path.is_file():
                out.setdefault(READING_PREFIX + schedule, {})[(ds, clf)] = Found(path, json.loads(path.read_text()),
                                                                                 True)
    for (ds, clf), paths in result_files(results_dir, "classifier").items():
        current = expected("classifier", ds, clf)
        ev = out.get("evaluation", {}).get((ds, clf))
        used = None if ev is None else ev.data.get("config", {}).get("classifier")
        found = pick(paths, None, partial(uses_config, used))
        if found is not None and current is not None:
            found = replace(found, current=found.path.resolve() == current.resolve())
        if (found := found or pick(paths, current, lambda d: "metrics" in d)) is not None:
            out.setdefault("classifier", {})[(ds, clf)] = found
    return out


# ------------------------------------------------------------------------------------------ statistics

def wilson(p: float, n: int, z: float = Z95) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion ``p`` measured on ``n`` items."""
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def fmt_p(p: float) -> str:
    """``p`` to two significant digits, or more where two would round it across ALPHA."""
    short = f"{p:.2g}"
    return short if (float(short) < ALPHA) == (p < ALPHA) else f"{p:.4g}"


def holm(ps: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order of ``ps``."""
    adjusted, running = [0.0] * len(ps), 0.0
    for rank, i in enumerate(sorted(range(len(ps)), key=ps.__getitem__)):
        running = max(running, min(1.0, (len(ps) - rank) * ps[i]))
        adjusted[i] = running
    return adjusted


def t95(df: int) -> float:
    """Two-sided 95 % quantile of Student's t (table to 10 degrees of freedom, then Cornish–Fisher, ±0.002)."""
    if df in T95:
        return T95[df]
    z = Z95
    return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)


def noise_band(reference: Sequence[float], m: int = 1, k: int | None = None) -> float:
    """Half-width of the 95 % band of an effect: t95(n − 1) · s · √(1/m + 1/k), s the standard deviation of
    the ``reference`` seeds (n of them), m and k the runs averaged on the variant and the baseline side."""
    n = len(reference)
    return t95(n - 1) * statistics.stdev(reference) * math.sqrt(1 / m + 1 / (k or n))


# ------------------------------------------------------------------------------------------ value helpers

def setup_name(dataset: str, classifier: str, classes: int | None = None) -> str:
    """``CIFAR10 · AlexNet``; the class count is added when it is not the paper's (a subset)."""
    out = f"{DATASET_NAMES.get(dataset, dataset)} · {CLASSIFIER_NAMES.get(classifier, classifier)}"
    return out if classes in (None, PAPER_CLASSES.get(dataset)) else f"{out} ({classes} classes)"


def accuracy(result: dict, method: str, bits: int) -> float | None:
    """Accuracy (%) of ``method`` at ``bits`` in an evaluation (or a study variant), or None."""
    return metric(result, method, bits, "accuracy")


def metric(result: dict, method: str, bits: int, key: str) -> float | None:
    """``key`` of ``method`` at ``bits`` (accuracy in %, colours per image, bpp), or None."""
    point = result.get("methods", {}).get(method, {}).get(str(bits))
    if point is None or point.get(key) is None:
        return None
    return 100 * point[key] if key == "accuracy" else point[key]


def difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def mean(values: Iterable[float | None]) -> float | None:
    """The mean, or None when there is no value or one is missing."""
    given = list(values)
    known = [v for v in given if v is not None]
    return sum(known) / len(known) if known and len(known) == len(given) else None


def name(method: str) -> str:
    return METHOD_NAMES.get(method, method)


def bit_key(bits: int) -> str:
    return f"{bits} bit"


def count(result: dict) -> int | None:
    return result.get("data", {}).get("count")


def evaluation_setup(key: tuple[str, str], found: Found) -> str:
    return setup_name(*key, found.data.get("data", {}).get("num_classes"))


def same_setup_difference(ours: Value, paper: Value, setup: str, paper_setup: str | None) -> Value:
    """ours − paper when both were measured on one setup, else None (nothing is subtracted across setups)."""
    if setup != paper_setup or ours is None or paper is None:
        return None
    if isinstance(ours, Mapping) and isinstance(paper, Mapping):
        return {k: difference(v, paper.get(k)) for k, v in ours.items()}
    if isinstance(ours, Mapping) or isinstance(paper, Mapping):
        return None
    return ours - paper


def cell(row: Mapping[int, float | None], bits: int) -> float:
    """A printed per-bit value (every cell of the paper's rows is recovered; see paper_numbers)."""
    value = row[bits]
    if value is None:
        raise ValueError(f"no paper value at {bits} bit")
    return value


def t4(row: str, bits: int) -> float:
    return cell(TABLE4[row], bits)


def _collapse(values: dict[str, float | None]) -> Value:
    """A one-key dict without a key name becomes a number; all-None becomes None."""
    if all(v is None for v in values.values()):
        return None
    return values[""] if list(values) == [""] else values


def table4_flags(cells: Iterable[tuple[str, int]]) -> list[str]:
    """Flags for the Table 4 cells a paper value uses: rebuilt from garbled text, and ambiguous ones."""
    cells = sorted(set(cells), key=lambda c: (list(TABLE4).index(c[0]), c[1]))
    rebuilt: dict[tuple[str, str], list[int]] = {}
    for row, bits in cells:
        if (row, bits) in TABLE4_REBUILT:
            rebuilt.setdefault((row, TABLE4_REBUILT[(row, bits)]), []).append(bits)
    out = [f"Table 4 {TABLE4_NAMES[row]} at {', '.join(map(str, b))} bit rebuilt from garbled text ({why})"
           for (row, why), b in rebuilt.items()]
    ambiguous = [c for c in cells if c in TABLE4_UNCERTAIN]
    if ambiguous:
        out.append("ambiguous between two rows (extraction order only): " +
                   ", ".join(f"{TABLE4_NAMES[r]} {b} bit" for r, b in ambiguous))
    return out


# ------------------------------------------------------------------------------------------ numbers (CI rule)

def ci_text(ours: dict[str, float], n: int) -> str:
    cells = [f"{100 * lo:.1f}–{100 * hi:.1f}" for lo, hi in (wilson(v / 100, n) for v in ours.values())]
    return f"95 % Wilson CI {' / '.join(cells)} (n = {n:,})"


def inside(paper: float, ours: float, n: int) -> bool:
    """The paper's value (%) lies inside the 95 % Wilson interval of ours (%, on ``n`` images)."""
    lo, hi = wilson(ours / 100, n)
    return lo <= paper / 100 <= hi


def judge_numbers(paper: dict[str, float], ours: dict[str, float], n: int) -> tuple[str, str]:
    """Holds when every paper value lies inside our 95 % Wilson interval of the same key."""
    outside = [k for k, v in paper.items() if not inside(v, ours[k], n)]
    if not outside:
        return HOLDS, "the paper's value lies inside our 95 % interval" + ("s" if len(paper) > 1 else "")
    where = "" if outside == [""] else f" at {', '.join(outside)}"
    return FAILS, f"the paper's value lies outside our 95 % interval{where}"


def number_row(item: str, source: str, paper: float | Mapping[str, float], paper_setup: str, setup: str | None,
               ours: float | Mapping[str, float | None] | None, n: int | None, file: str | None, missing: str,
               flags: Sequence[str] = (), note: str = "") -> Entry:
    """A reproduced number: CI rule on the paper's setup, not measurable elsewhere."""
    def row(diff: Value, test: str | None, verdict: str, reason: str) -> Entry:
        return Entry("number", item, source, setup or "—", paper, ours, diff, test, verdict, reason + note, file,
                     paper_setup, flags=list(flags))

    paper_d = dict(paper) if isinstance(paper, Mapping) else {"": paper}
    ours_d = dict(ours) if isinstance(ours, Mapping) else {"": ours}
    values = {k: v for k in paper_d if (v := ours_d.get(k)) is not None}
    if setup is None or len(values) < len(paper_d):
        return row(None, None, UNMEASURABLE, missing)
    test = ci_text(values, n) if n else None
    if setup != paper_setup:
        return row(None, test, UNMEASURABLE, f"another setup: {setup} here, {paper_setup} in the paper")
    if not n:
        return row(None, None, UNMEASURABLE, "no interval: no per-image values or image count stored")
    return row(same_setup_difference(ours, paper, setup, paper_setup), test, *judge_numbers(paper_d, values, n))


def absent(item: str, source: str, paper: Value, paper_setup: str | None, reason: str, section: str = "number",
           flags: Sequence[str] = ()) -> Entry:
    """A row without a result here."""
    return Entry(section, item, source, "—", paper, None, None, None, UNMEASURABLE, reason, None, paper_setup,
                 flags=list(flags))


# ------------------------------------------------------------------------------------------ paired claims

def _gap(diff: float, than: str) -> str:
    return f"{abs(diff):.1f} points {'above' if diff > 0 else 'below'} {than}" if diff else f"level with {than}"


def judge_sign(diff: float, p: float | None, than: str, sign: int) -> tuple[str, str]:
    """The claimed direction (``sign`` +1: above ``than``, −1: below): holds when ``diff`` goes that way with the
    Holm-adjusted ``p`` < ALPHA, does not hold when it goes the other way significantly, and is inconclusive when
    the test cannot tell the difference from none (the interval holds both zero and the claimed direction)."""
    gap = _gap(diff, than)
    if p is None:
        return UNMEASURABLE, f"{gap}, but no paired test is stored"
    if p >= ALPHA or diff == 0:
        return INCONCLUSIVE, f"{gap}, not significant (Holm p = {fmt_p(p)} ≥ {ALPHA}): neither shown nor refuted"
    if diff * sign < 0:
        return FAILS, f"{gap}, significant (Holm p = {fmt_p(p)}): the other way"
    return HOLDS, f"{gap}, significant (Holm p = {fmt_p(p)})"


def judge_close(diff: float, p: float | None, than: str = "MedianCut") -> tuple[str, str]:
    """Non-inferiority at :data:`CLOSE_MARGIN` points: the difference's 95 % interval (standard error from the
    raw McNemar ``p``, :func:`~colorcnn_repro.stats.paired_se`; z of ALPHA / 2 per row, Bonferroni over the
    family's two rows) lies above −margin (holds), entirely below it (does not hold), or across it
    (inconclusive). The paper's gap on its own setup is not a tolerance here."""
    gap, margin = _gap(diff, than), f"−{CLOSE_MARGIN:g} points"
    if p is None:
        return UNMEASURABLE, f"{gap}; no paired test is stored"
    se = paired_se(diff, p)
    if se is None:
        return INCONCLUSIVE, f"{gap}; McNemar p = {fmt_p(p)} gives no interval, so the margin ({margin}) is untested"
    z = z_two_sided(ALPHA / 2)
    lo, hi = diff - z * se, diff + z * se
    interval = f"97.5 % interval {lo:+.1f} to {hi:+.1f}, margin {margin}"
    if lo > -CLOSE_MARGIN:
        return HOLDS, f"{gap}; {interval}: within the margin"
    if hi < -CLOSE_MARGIN:
        return FAILS, f"{gap}; {interval}: worse than the margin"
    return INCONCLUSIVE, f"{gap}; {interval}: across the margin"


def ranked(result: dict, bits: int, methods: Sequence[str]) -> list[str]:
    """``methods`` with a result at ``bits``, most accurate first."""
    present = {m: a for m in methods if (a := accuracy(result, m, bits)) is not None}
    return sorted(present, key=present.__getitem__, reverse=True)


def paired_row(ev: Found, setup: str, item: str, source: str, family: str | None, method: str, rival: str | None,
               bits: int, paper: float | None, paper_setup: str | None,
               decide: Callable[[float, float | None], tuple[str, str]], flags: Sequence[str] = ()) -> Row:
    """``method`` − ``rival`` at ``bits`` with the stored McNemar test; the verdict waits for Holm within
    ``family`` (None: no family, ``decide`` gets the raw p)."""
    ours = accuracy(ev.data, method, bits)
    theirs = None if rival is None else accuracy(ev.data, rival, bits)
    if rival is None or ours is None or theirs is None:
        return Entry("claim", item, source, setup, paper, None, None, None, UNMEASURABLE,
                     f"no {name(method)} or no comparison result at {bits} bit in the evaluation", ev.name,
                     paper_setup, flags=list(flags))
    diff = ours - theirs
    sig = significance_of(ev.data, bits, method, rival)
    p = None if sig is None else sig["p"]
    test = f"McNemar {name(method)} vs {name(rival)}: p = {fmt_p(p)}" if p is not None else "no paired test stored"
    entry = Entry("claim", item, source, setup, paper, diff, same_setup_difference(diff, paper, setup, paper_setup),
                  test, UNMEASURABLE, "", ev.name, paper_setup,
                  None if p is None or family is None else f"{family} · {setup}", p, flags=list(flags))
    return Pending(entry, lambda q: decide(diff, q if family is not None else p))


def finalize(rows: Sequence[Row]) -> list[Entry]:
    """Holm-adjust the p-values of each family, then decide every pending row."""
    members: dict[str, list[tuple[Pending, float]]] = {}
    for r in rows:
        if isinstance(r, Pending) and r.entry.family is not None and r.entry.p is not None:
            members.setdefault(r.entry.family, []).append((r, r.entry.p))
    adjusted = {id(r): q for group in members.values() for (r, _), q in zip(group, holm([p for _, p in group]))}
    out = []
    for r in rows:
        if isinstance(r, Entry):
            out.append(r)
            continue
        q = adjusted.get(id(r))
        verdict, reason = r.decide(q)
        size = len(members.get(r.entry.family or "", []))
        test = r.entry.test if q is None else f"{r.entry.test}, Holm p = {fmt_p(q)} ({size} tests)"
        out.append(replace(r.entry, verdict=verdict, reason=reason, p_holm=q, test=test))
    return out


def table4_margin(method: str, bits: int, than: str = "mediancut") -> tuple[float, list[str]]:
    """The paper's ``method`` − ``than`` at ``bits`` in Table 4, with the flags of the cells it uses."""
    key = TABLE4_DEFAULT if method == "colorcnn+" else method
    return t4(key, bits) - t4(than, bits), table4_flags([(key, bits), (than, bits)])


T4_SETUP = setup_name(*TABLE4_SETUP)
FIG12_SOURCE = "Sec. 4.2.2, Fig. 12; paper value: Table 4"


def claims_small(ev: Found, setup: str, methods: Sequence[str] = LEARNED_METHODS, reading: str = "") -> list[Row]:
    """Sec. 4.2.2: both ColorCNNs are significantly better than the classical methods at 1 and 2 bits; one row
    against the paper's classical methods, one against the strongest classical method here. ``reading``: the
    rows of one reading of the paper's ColorCNN+ (:func:`claims_readings`), each family of its own."""
    out: list[Row] = []
    for family, pool, what in (("small_paper", PAPER_CLASSICAL, "the paper's classical methods"),
                               ("small_here", CLASSICAL_HERE, "every classical method here")):
        for method in methods:
            for bits in SMALL_BITS:
                paper, flags = table4_margin(method, bits)
                rival = next(iter(ranked(ev.data, bits, pool)), None)
                than = name(rival) if rival else "?"
                out.append(paired_row(
                    ev, setup, f"{name(method)} − strongest of {what}, {bits} bit{reading}",
                    FIG12_SOURCE + " (vs MedianCut)", FAMILIES[family] + reading, method, rival, bits, paper,
                    T4_SETUP, partial(judge_sign, than=than, sign=+1), flags))
    return out


def claims_large(ev: Found, setup: str) -> list[Row]:
    """Sec. 4.2.2: at 5–6 bits ColorCNN falls behind the classical methods, ColorCNN+ is far above ColorCNN and
    competitive with (close to) MedianCut."""
    out: list[Row] = []
    for bits in LARGE_BITS:
        weakest = next(iter(ranked(ev.data, bits, PAPER_CLASSICAL)[::-1]), None)
        than = name(weakest) if weakest else "?"
        paper, flags = table4_margin("colorcnn", bits)
        out.append(paired_row(
            ev, setup, f"ColorCNN − weakest of the paper's classical methods, {bits} bit", FIG12_SOURCE +
            " (vs MedianCut)", FAMILIES["behind"], "colorcnn", weakest, bits, paper, T4_SETUP,
            partial(judge_sign, than=than, sign=-1), flags))
    for bits in LARGE_BITS:
        paper = t4(TABLE4_DEFAULT, bits) - t4("colorcnn", bits)
        out.append(paired_row(ev, setup, f"ColorCNN+ − ColorCNN, {bits} bit", FIG12_SOURCE, FAMILIES["plus_over"],
                              "colorcnn+", "colorcnn", bits, paper, T4_SETUP,
                              partial(judge_sign, than="ColorCNN", sign=+1)))
    return out + claims_close(ev, setup)


def claims_close(ev: Found, setup: str, reading: str = "") -> list[Row]:
    """Sec. 4.2.2: at 5–6 bits ColorCNN+ is competitive with (close to) MedianCut; ``reading`` as in
    :func:`claims_small`."""
    out: list[Row] = []
    for bits in LARGE_BITS:
        paper, flags = table4_margin("colorcnn+", bits)
        out.append(paired_row(ev, setup, f"ColorCNN+ close to MedianCut, {bits} bit (ColorCNN+ − MedianCut){reading}",
                              FIG12_SOURCE, None, "colorcnn+", "mediancut", bits, paper, T4_SETUP, judge_close,
                              flags))
    return out


def claims_readings(found: dict[str, dict[tuple[str, str], Found]]) -> list[Row]:
    """The paper's ColorCNN+ claims of Fig. 12 under each reading of its loss (:data:`READINGS`: the paper's text,
    constant λ; the authors' code of the paper's period, L_RP off at C ≤ 8), each by the longest ColorCNN+ of its
    schedule evaluated beside every classical method. A row names its reading and epochs; each reading's rows are
    Holm families of their own."""
    out: list[Row] = []
    for reading, schedule in READINGS.items():
        for key, ev in sorted(found.get(READING_PREFIX + schedule, {}).items()):
            epochs = ev.data["config"]["colorcnn_plus"]["epochs"]
            label = f" — {reading}, {epochs} epochs"
            setup = evaluation_setup(key, ev)
            out += claims_small(ev, setup, ("colorcnn+",), label) + claims_close(ev, setup, label)
    return out


def claims_dither(ev: Found, setup: str) -> list[Row]:
    """Sec. 4.3.4: dithering (for human viewers) harms recognition in small colour spaces (Fig. 12)."""
    return [paired_row(ev, setup, f"MedianCut+Dither − MedianCut, {bits} bit", "Sec. 4.3.4, Fig. 12; no value printed",
                       FAMILIES["dither"], "dither", "mediancut", bits, None, NOT_STATED,
                       partial(judge_sign, than="MedianCut", sign=-1)) for bits in SMALL_BITS]


# ------------------------------------------------------------------------------------------ unpaired (Wilson)

def above(acc: float, n: int, other: float, other_n: int) -> bool:
    """The 95 % Wilson interval of ``acc`` (a fraction of ``n``) lies entirely above that of ``other``."""
    return wilson(acc, n)[0] > wilson(other, other_n)[1]


@dataclass(frozen=True)
class Point:
    """One (bitrate, accuracy) point of a curve; ``acc`` a fraction measured on ``n`` images."""

    label: str
    bpp: float
    acc: float
    n: int
    bits: int | None = None

    def above(self, other: Point) -> bool:
        return above(self.acc, self.n, other.acc, other.n)

    def beats(self, other: Point) -> bool:
        """At most ``other``'s bitrate and significantly more accurate (disjoint intervals)."""
        return self.bpp <= other.bpp and self.above(other)

    def __str__(self) -> str:
        return f"{self.label} ({100 * self.acc:.1f} % at {self.bpp:.2f} bpp)"


def curve(ev: Found, method: str) -> list[Point]:
    n = count(ev.data) or 0
    return [Point(f"{name(method)} {b} bit", p["bpp"], p["accuracy"], n, int(b))
            for b, p in sorted(ev.data.get("methods", {}).get(method, {}).items(), key=lambda x: int(x[0]))]


def jpeg_curve(ev: Found) -> list[Point]:
    n = count(ev.data) or 0
    return [Point(f"JPEG q{j['quality']}", j["bpp"], j["accuracy"], n) for j in ev.data.get("jpeg", [])]


WILSON_TEST = "95 % Wilson intervals disjoint (unpaired; no p-value)"
FIG16 = "Sec. 4.4, Fig. 16"


def claim_rate_and_accuracy(ev: Found, setup: str) -> list[Entry]:
    """Sec. 4.4: with more colours the PNGs take more bits and are better recognized (every method)."""
    methods = [m for m in ordered_methods(ev.data.get("methods", {})) if len(curve(ev, m)) > 1]
    falls = [f"{name(m)} {a.bits}→{b.bits} bit" for m in methods
             for a, b in zip(curve(ev, m), curve(ev, m)[1:]) if b.bpp <= a.bpp]
    rate = Entry("claim", "PNG bitrate rises with the colour-space size, every method", FIG16, setup, None, None,
                 None, None, UNMEASURABLE, "per-image bitrates are not stored, so there is no test; the mean bitrates "
                 "here " + (f"fall at {', '.join(falls)}" if falls else "rise at every step for every method"),
                 ev.name, NOT_STATED)
    lower = [m for m in methods if not curve(ev, m)[-1].above(curve(ev, m)[0])]
    ours = {name(m): 100 * (curve(ev, m)[-1].acc - curve(ev, m)[0].acc) for m in methods}
    verdict = (FAILS, f"largest size not significantly above the smallest for {', '.join(map(name, lower))}") \
        if lower else (HOLDS, "for every method the largest size's interval lies above the smallest's")
    acc = Entry("claim", "accuracy rises from the smallest to the largest colour space, every method "
                "(largest − smallest, points)", FIG16, setup, None, ours, None, WILSON_TEST, *verdict, ev.name,
                NOT_STATED)
    return [rate, acc]


def claims_lower_rate(ev: Found, setup: str) -> list[Entry]:
    """Sec. 4.4: ColorCNN reaches a higher accuracy at a lower bitrate than the classical methods."""
    out = []
    ours = curve(ev, "colorcnn")
    for pool, what in ((PAPER_CLASSICAL, "each of the paper's classical methods"),
                       (CLASSICAL_HERE, "each classical method here")):
        present = [m for m in pool if m in ev.data.get("methods", {})]
        unbeaten = [m for m in present if not any(a.beats(b) for a in ours for b in curve(ev, m))]
        verdict = (FAILS, f"no ColorCNN point is significantly more accurate than a {', '.join(map(name, unbeaten))} "
                   "point at no more bits") if unbeaten else \
            (HOLDS, "for each, some ColorCNN point is significantly more accurate at no more bits")
        out.append(Entry("claim", f"ColorCNN: higher accuracy at a lower bitrate than {what}", FIG16, setup, None,
                         None, None, WILSON_TEST, *verdict, ev.name, NOT_STATED))
    return out


def claims_plus_curve(ev: Found, setup: str) -> list[Entry]:
    """Sec. 4.4: ColorCNN+ constantly outperforms the other quantization methods and JPEG in accuracy at a given
    bitrate: every other point at or above ColorCNN+'s cheapest bitrate must be beaten by a ColorCNN+ point."""
    out = []
    plus = curve(ev, "colorcnn+")
    for pool, what in ((PAPER_CLASSICAL, "the paper's classical methods, ColorCNN and JPEG"),
                       (CLASSICAL_HERE, "every classical method here, ColorCNN and JPEG")):
        others = [p for m in (*pool, "colorcnn") for p in curve(ev, m)] + jpeg_curve(ev)
        against = [(b, a) for b in others for a in plus if b.beats(a)]
        cheapest = min((a.bpp for a in plus), default=math.inf)
        unbeaten = [b for b in others if b.bpp >= cheapest and not any(a.beats(b) for a in plus)]
        if against:
            verdict = FAILS, f"{against[0][0]} is significantly above {against[0][1]} at no more bits"
        elif unbeaten:
            verdict = FAILS, f"no ColorCNN+ point at no more bits is significantly above {unbeaten[0]}"
        else:
            verdict = HOLDS, ("every other point from ColorCNN+'s cheapest bitrate up is significantly below a "
                              "ColorCNN+ point at no more bits")
        out.append(Entry("claim", f"ColorCNN+ above {what} at every bitrate", FIG16, setup, None, None, None,
                         WILSON_TEST, *verdict, ev.name, NOT_STATED))
    return out


def claim_jpeg(ev: Found, setup: str, method: str) -> Entry:
    """Sec. 4.4: the 1-bit learned quantizer beats JPEG at its bitrate (+13.2 ColorCNN, +19.3 ColorCNN+),
    judged directly when JPEG reaches our bitrate, else a fortiori against the cheapest JPEG."""
    claim = JPEG_CLAIMS[method]
    item = f"1-bit {name(method)} − JPEG at ≤ its bitrate (points)"
    source = (f"{FIG16}; paper: under {claim['max_bpp']} \"bits\" per pixel (bytes per pixel of RGB PNGs in the "
              "authors' code)")
    ours = next((p for p in curve(ev, method) if p.bits == claim["bits"]), None)
    jpeg = jpeg_curve(ev)
    if ours is None or not jpeg or not ours.n:
        return Entry("claim", item, source, setup, claim["gain"], None, None, None, UNMEASURABLE,
                     f"no {claim['bits']}-bit {name(method)}, JPEG curve or image count in the evaluation", ev.name,
                     NOT_STATED)
    cheaper = [j for j in jpeg if j.bpp <= ours.bpp]
    rival = max(cheaper, key=lambda j: j.acc) if cheaper else min(jpeg, key=lambda j: j.bpp)
    gain = 100 * (ours.acc - rival.acc)
    test = f"{WILSON_TEST}: {name(method)} vs {rival.label}; no per-image JPEG results stored, so no paired test"
    row = lambda verdict, reason: Entry("claim", item, source, setup, claim["gain"], gain, None, test, verdict,  # noqa: E731
                                        reason, ev.name, NOT_STATED)
    if cheaper:
        return row(*((HOLDS, f"{ours} significantly above the best JPEG at no more bits, {rival}") if ours.above(rival)
                     else (FAILS, f"{ours} not significantly above the best JPEG at no more bits, {rival}")))
    lead = f"no JPEG as cheap as {ours}; the cheapest is {rival}"
    if ours.acc <= rival.acc:
        return row(UNMEASURABLE, f"{lead}, at more bits and no less accurate: no a-fortiori conclusion")
    if not ours.above(rival):
        return row(FAILS, f"{lead}: ours is more accurate at fewer bits, but not significantly")
    return row(HOLDS, f"a fortiori: {lead}, and ours is significantly more accurate at fewer bits "
                      "(the gain shown is a lower bound)")


def claim_plus_bits(ev: Found, setup: str) -> Entry:
    """Sec. 4.4: ColorCNN+ takes more bits than ColorCNN at large colour spaces (uses them more fully)."""
    ours = {bit_key(b): difference(metric(ev.data, "colorcnn+", b, "bpp"), metric(ev.data, "colorcnn", b, "bpp"))
            for b in LARGE_BITS}
    return Entry("claim", "ColorCNN+ − ColorCNN bitrate, 5–6 bits (bpp)", FIG16, setup, None, _collapse(ours), None,
                 None, UNMEASURABLE, "per-image bitrates and colour counts are not stored, so there is no test",
                 ev.name, NOT_STATED)


# ------------------------------------------------------------------------------------------ effects (noise rule)

Measure = Callable[[dict], float | None]


def at(method: str, bits: int, key: str = "accuracy") -> Measure:
    return lambda variant: metric(variant, method, bits, key)


def mean_at(method: str, bits: Sequence[int]) -> Measure:
    return lambda variant: mean(accuracy(variant, method, b) for b in bits)


@dataclass(frozen=True)
class Comparison:
    """One effect of a row: ``measure(variant)`` − ``measure(baseline)`` and what the paper claims for it
    (``up``, ``down``, ``similar`` or ``not down``)."""

    key: str
    variant: str | None
    baseline: str | None
    measure: Measure
    paper: float | None
    expect: str
    baseline_measure: Measure | None = None


def replicates(variants: dict[str, dict], label: str | None) -> list[dict]:
    """The variant ``label`` and its seed replicates ``<label> (seed N)``, one per distinct evaluation."""
    runs: dict[str, dict] = {}
    for lab, variant in variants.items():
        m = SEED_LABEL.match(lab)
        if label is not None and (lab == label or (m is not None and m["label"] == label)):
            runs.setdefault(variant.get("evaluation_key") or lab, variant)
    return list(runs.values())


def reference_label(study: Found) -> str | None:
    """The study's reference variant (:data:`STUDY_REFERENCE`, else the one labelled ``… (default)``)."""
    variants = study.data.get("variants", {})
    label = STUDY_REFERENCE.get(study.data.get("study", ""))
    if label in variants:
        return label
    return next((lab for lab in variants if lab.endswith("(default)")), None)


def study_setup(study: Found) -> tuple[str, str, int | None]:
    """``(dataset, classifier, classes)`` a study ran on."""
    cfg = study.data.get("config", {}).get("classifier", {})
    variant: dict = next(iter(study.data.get("variants", {}).values()), {})
    classes = variant.get("data", {}).get("num_classes")
    return cfg.get("data", {}).get("dataset", "?"), cfg.get("classifier", "?"), classes


def bits_in(study: Found | None, wanted: Sequence[int], method: str = "colorcnn+") -> tuple[int, ...]:
    """The sizes of ``wanted`` that the study's reference variant evaluated (all of ``wanted`` when none)."""
    variants = {} if study is None else study.data.get("variants", {})
    done = {int(b) for v in replicates(variants, None if study is None else reference_label(study))
            for b in v.get("methods", {}).get(method, {})}
    return tuple(b for b in wanted if b in done) or tuple(wanted)


def judge_effect(expect: str, effect: float, band: float) -> bool:
    if expect == "similar":
        return abs(effect) <= band
    if expect == "not down":
        return effect >= -band
    return effect * (1 if expect == "up" else -1) > band


NOISE = "within noise"


def observed(effect: float, band: float) -> str:
    return "up" if effect > band else "down" if effect < -band else NOISE


def claimed(comparisons: Sequence[Comparison]) -> str:
    """``claimed: down at 1 bit, 2 bit; up at 5 bit`` (what the paper says of each key)."""
    groups: dict[str, list[str]] = {}
    for c in comparisons:
        groups.setdefault(c.expect, []).append(c.key)
    return "claimed: " + "; ".join(f"{e} at {', '.join(k)}" if any(k) else e for e, k in groups.items())


def effect_row(item: str, source: str, study: Found | None, comparisons: Sequence[Comparison], paper_setup: str,
               study_name: str, section: str = "number", flags: Sequence[str] = (), setup: str | None = None) -> Entry:
    """Effects of a study judged against the noise level of its reference variant's seeds."""
    paper = _collapse({c.key: c.paper for c in comparisons})
    if study is None:
        return absent(item, source, paper, paper_setup, f"no {study_name} study in the results; {claimed(comparisons)}",
                      section, flags)
    setup = setup or setup_name(*study_setup(study))
    variants, ref_label = study.data.get("variants", {}), reference_label(study)
    reference = replicates(variants, ref_label)
    row = lambda ours, test, verdict, reason, noise=None: Entry(  # noqa: E731
        section, item, source, setup, paper, ours, same_setup_difference(ours, paper, setup, paper_setup), test,
        verdict, reason, study.name, paper_setup, noise=noise, flags=list(flags))
    effects: dict[str, float | None] = {}
    sides: dict[str, tuple[int, int]] = {}
    for c in comparisons:
        var, base = replicates(variants, c.variant), replicates(variants, c.baseline)
        v = mean(c.measure(x) for x in var) if var else None
        b = mean((c.baseline_measure or c.measure)(x) for x in base) if base else None
        effects[c.key], sides[c.key] = difference(v, b), (len(var), len(base))
    ours = _collapse(effects)
    known = {k: e for k, e in effects.items() if e is not None}
    if len(known) < len(effects):
        lacking = ", ".join(c.key or c.variant or "?" for c in comparisons if c.key not in known)
        return row(ours, None, UNMEASURABLE, f"the study lacks a variant or value for {lacking}; "
                   f"{claimed(comparisons)}")
    seeds = {c.key: [v for v in map(c.measure, reference) if v is not None] for c in comparisons}
    n = min((len(s) for s in seeds.values()), default=0)
    if n < MIN_SEEDS:
        return row(ours, f"no noise level: {n} seed(s) of “{ref_label}”", UNMEASURABLE,
                   f"no measured noise level (needs ≥ {MIN_SEEDS} seeds of the reference variant “{ref_label}”; "
                   f"{n} found); {claimed(comparisons)}", {"reference": ref_label, "seeds": n})
    bands = {c.key: noise_band(seeds[c.key], *sides[c.key]) for c in comparisons}
    noise = {"reference": ref_label, "seeds": n, "sd": {k: statistics.stdev(v) for k, v in seeds.items()},
             "band": bands}
    test = f"noise band ±{' / ±'.join(f'{b:.2f}' for b in bands.values())} ({n} seeds of “{ref_label}”)"
    missed = [c for c in comparisons if not judge_effect(c.expect, known[c.key], bands[c.key])]
    misses = [f"{c.key or 'effect'}: paper {c.expect}, here {observed(known[c.key], bands[c.key])} "
              f"({known[c.key]:+.2f})" for c in missed]
    # a claimed direction met by an effect within the noise is neither shown nor refuted
    refuted = [c for c in missed if c.expect not in ("up", "down") or observed(known[c.key], bands[c.key]) != NOISE]
    if misses:
        return row(ours, test, FAILS if refuted else INCONCLUSIVE, "; ".join(misses), noise)
    here = ", ".join(f"{c.key + ' ' if c.key else ''}{observed(known[c.key], bands[c.key])}" for c in comparisons)
    return row(ours, test, HOLDS, f"{claimed(comparisons)}; here: {here}", noise)


def sign(x: float) -> str:
    return "up" if x > 0 else "down" if x < 0 else "similar"


# ------------------------------------------------------------------------------------------ Sec. 4.1

def numbers_table1(classifiers: dict[tuple[str, str], Found]) -> list[Entry]:
    """Table 1 (Sec. 4.1): classifier accuracy on original images, every dataset and classifier."""
    out = []
    for (ds, clf), paper in TABLE1.items():
        found = classifiers.get((ds, clf))
        item, paper_setup = f"Table 1: {CLASSIFIER_NAMES[clf]} on {DATASET_NAMES[ds]}", setup_name(ds, clf)
        if found is None:
            out.append(absent(item, "Sec. 4.1, Table 1", paper, paper_setup,
                              f"no classifier-{ds}-{clf}-*.json in the results"))
            continue
        data = found.data.get("data", {})
        split = data.get("split")
        note = f" (ours on the {split} split, the paper's on the test set)" if split not in (None, "test") else ""
        out.append(number_row(item, "Sec. 4.1, Table 1", paper, paper_setup,
                              setup_name(ds, clf, data.get("num_classes")), 100 * classifier_accuracy(found.data),
                              data.get("count"), found.name, "", note=note))
    return out


# ------------------------------------------------------------------------------------------ Sec. 4.2

QUALITATIVE = "a visual judgement on example images; the paper gives no measure and none is stored here"


def qualitative(item: str, source: str) -> Entry:
    return absent(item, source, None, NOT_STATED, QUALITATIVE, "claim")


def numbers_fig12(evaluations: dict[tuple[str, str], Found]) -> list[Entry]:
    """Fig. 12's printed panel (CIFAR100 · ResNet18 = Table 4's main rows), our other panels (drawn, not
    printed, in the paper), and the paper's panels with no result here."""
    ev = evaluations.get(TABLE4_SETUP)
    setup = None if ev is None else evaluation_setup(TABLE4_SETUP, ev)
    out = []
    for method in MAIN_METHODS:
        key = TABLE4_DEFAULT if method == "colorcnn+" else method
        paper = {bit_key(b): t4(key, b) for b in BITS}
        ours = None if ev is None else {bit_key(b): accuracy(ev.data, method, b) for b in BITS}
        out.append(number_row(f"{name(method)}, 1–6 bits", "Sec. 4.2.2, Fig. 12 = Table 4", paper, T4_SETUP, setup,
                              ours, None if ev is None else count(ev.data), None if ev is None else ev.name,
                              f"no {T4_SETUP} evaluation with {name(method)} at 1–6 bits in the results",
                              table4_flags((key, b) for b in BITS)))
    for pair, found in sorted(evaluations.items()):
        if pair != TABLE4_SETUP:
            here = evaluation_setup(pair, found)
            out.append(Entry("number", "ColorCNN+, 1–6 bits", f"Sec. 4.2.2, Fig. 12, {here} panel", here, None,
                             {bit_key(b): accuracy(found.data, "colorcnn+", b) for b in BITS}, None, None,
                             UNMEASURABLE, "the paper draws this panel without printing its values; the claims test "
                             "its shape", found.name, here))
    have = {setup_name(*k) for k, f in evaluations.items() if evaluation_setup(k, f) == setup_name(*k)}
    missing = [setup_name(d, c) for c in CLASSIFIERS for d in DATASETS if setup_name(d, c) not in have]
    if missing:
        out.append(absent(f"Fig. 12 panels without a result here ({len(missing)} of 12)", "Sec. 4.2.2, Fig. 12", None,
                          ", ".join(missing), "no evaluation of these dataset · classifier pairs (at the paper's "
                          "class count) in the results", "claim"))
    return out


# ------------------------------------------------------------------------------------------ Sec. 4.3

def data_study_reason(found: dict[tuple[str, str], Found], study: str, data: str) -> str:
    """Why a Table 2/3 row is not measurable: no result, a synthetic-data result, or a result not scored."""
    if not found:
        return f"no {study} study result ({data}) in the results"
    f = next(iter(found.values()))
    if f.data.get("synthetic"):
        return f"{f.name} ran on synthetic smoke data, not {data}"
    return f"{f.name} exists but the scorecard does not score {study} results yet"


def rows_table2(found: dict[tuple[str, str], Found]) -> list[Entry]:
    """Sec. 4.3.1, Table 2: Pascal VOC 2012, ResNet18 multi-label classifier."""
    why, setup, src = data_study_reason(found, "multilabel_voc", "Pascal VOC 2012"), "VOC2012 · ResNet18", \
        "Sec. 4.3.1, Table 2"
    out = [absent("Table 2: original images, exact-match accuracy / mAP", src, dict(TABLE2["original"]), setup, why)]
    out += [absent(f"Table 2: {name(m)} {metric_}, 1–6 bits", src,
                   {bit_key(b): v for b, v in TABLE2[metric_][m].items()}, setup, why)
            for metric_ in ("accuracy", "mAP") for m in ("mediancut", "colorcnn+")]
    out += [absent("ColorCNN+ above MedianCut in exact-match accuracy at most sizes", src, None, setup, why, "claim"),
             absent("ColorCNN+ mAP competitive, slightly below MedianCut at large sizes", src, None, setup, why,
                    "claim"),
             qualitative("multi-label classifiers keep coarse shapes, drop fine details", "Sec. 4.3.1, 4.3.3, Fig. 13")]
    return out


def rows_table3(found: dict[tuple[str, str], Found]) -> list[Entry]:
    """Sec. 4.3.2, Table 3: Style14, ResNet18."""
    why, setup, src = data_study_reason(found, "stylized", "Style14"), "Style14 · ResNet18", "Sec. 4.3.2, Table 3"
    return [absent("Table 3: original (stylized) images", src, TABLE3["original"], setup, why),
            *(absent(f"Table 3: {name(m)}, 1–6 bits", src, {bit_key(b): v for b, v in TABLE3[m].items()}, setup, why)
              for m in ("mediancut", "colorcnn+")),
            absent("ColorCNN+ − MedianCut on Style14, 1 bit", src, STYLE14_GAIN_1BIT, setup, why, "claim"),
            qualitative("ColorCNN+ keeps shapes and textures of stylized images", "Sec. 4.3.2, Fig. 14")]


def rows_tiny200(evaluations: dict[tuple[str, str], Found]) -> list[Entry]:
    """Sec. 4.3.6: on Tiny200 at 1 bit, stronger classifiers recognise MedianCut images worse."""
    out: list[Entry] = []
    points: list[tuple[float, int]] = []
    for clf, paper in TINY200_MEDIANCUT_1BIT.items():
        ev, paper_setup = evaluations.get(("tinyimagenet", clf)), setup_name("tinyimagenet", clf)
        here = None if ev is None else evaluation_setup(("tinyimagenet", clf), ev)
        ours = None if ev is None else accuracy(ev.data, "mediancut", 1)
        out.append(number_row(f"Tiny200 · {CLASSIFIER_NAMES[clf]}: MedianCut, 1 bit", "Sec. 4.3.6, Fig. 12", paper,
                              paper_setup, here, ours, None if ev is None else count(ev.data),
                              None if ev is None else ev.name, f"no {paper_setup} evaluation in the results"))
        if ev is not None and here == paper_setup and ours is not None and (n := count(ev.data)):
            points.append((ours / 100, n))
    item = "stronger classifier, lower 1-bit accuracy on Tiny200 (AlexNet > VGG16 > ResNet18)"
    src = "Sec. 4.3.6, Fig. 12"
    if len(points) < len(TINY200_MEDIANCUT_1BIT):
        out.append(absent(item, src, None, "Tiny200 · AlexNet, VGG16, ResNet18",
                          f"needs all three Tiny200 (200 classes) evaluations; {len(points)} here", "claim"))
        return out
    ok = all(above(*a, *b) for a, b in zip(points, points[1:]))
    out.append(Entry("claim", item, src, "Tiny200", None, None, None, WILSON_TEST, HOLDS if ok else FAILS,
                     "each interval above the next" if ok else "not each interval above the next", None, "Tiny200"))
    return out


def lambda_steps(bits: Sequence[int], expect: str) -> list[Comparison]:
    """Each step up in λ (0→1→3→10) at each of ``bits``, with the paper's Table 4 effect."""
    keys = ["colorcnn+ lambda=0", "colorcnn+ lambda=1", TABLE4_DEFAULT, "colorcnn+ lambda=10"]
    return [Comparison(f"{bit_key(b)} {TABLE4_LABELS[lo]}→{TABLE4_LABELS[hi][2:]}", TABLE4_LABELS[hi],
                       TABLE4_LABELS[lo], at("colorcnn+", b), t4(hi, b) - t4(lo, b), expect)
            for b in bits for lo, hi in zip(keys, keys[1:])]


def claims_lambda(study: Found | None) -> list[Entry]:
    """Sec. 4.3.5: raising λ lowers accuracy at 1–2 bits and consistently raises it at 5–6 bits."""
    out = []
    for wanted, expect, what in ((SMALL_BITS, "down", "lowers accuracy at 1 and 2 bits"),
                                 (LARGE_BITS, "up", "raises accuracy at 5 and 6 bits")):
        bits = bits_in(study, wanted)
        comparisons = lambda_steps(bits, expect)
        cells = [(k, b) for b in bits for k in TABLE4 if k.startswith("colorcnn+ lambda")]
        out.append(effect_row(f"ColorCNN+: each step up in λ (0→1→3→10) {what} (points)", "Sec. 4.3.5, Table 4", study,
                              comparisons, T4_SETUP, "variants_lambda", "claim", table4_flags(cells)))
    out.append(qualitative("ColorCNN+: a larger λ is more visually faithful", "Sec. 4.3.5, Fig. 15"))
    return out


# ------------------------------------------------------------------------------------------ Sec. 4.4

def claim_adversarial() -> Entry:
    """Sec. 4.4: ColorCNNs as a defence against adversarial attacks (evidence in the paper's appendix)."""
    reason = ("the paper's evidence and protocol (attack, strength, colour-space size) are in its appendix, which "
              "the paper text here lacks; there is no criterion to score our adversarial results against")
    return absent("ColorCNNs help defend against adversarial attacks", "Sec. 4.4", None, NOT_STATED, reason, "claim")


def claims_applications(ev: Found, setup: str) -> list[Entry]:
    return [*claim_rate_and_accuracy(ev, setup), *claims_lower_rate(ev, setup), *claims_plus_curve(ev, setup),
            *(claim_jpeg(ev, setup, m) for m in JPEG_CLAIMS), claim_plus_bits(ev, setup)]


# ------------------------------------------------------------------------------------------ Sec. 4.5

T5_SETUP = setup_name(*TABLE5_SETUP)


def rows_table5(study: Found | None) -> list[Entry]:
    """Sec. 4.5.1, Table 5 (3 bits): the reference row's numbers, and each variant's effects against it."""
    out: list[Entry] = []
    what = {"accuracy": "accuracy (points)", "colors_used": "colours per image", "bpp": "bpp"}
    ref = None if study is None else study.data.get("variants", {}).get(TABLE5_LABELS["colorcnn"])
    here = None if study is None else setup_name(*study_setup(study))
    missing = "no colorcnn_ablation study in the results" if study is None else "the study lacks ColorCNN"
    for key, label in what.items():
        ours = None if ref is None else metric(ref, "colorcnn", TABLE5_BITS, key)
        n = count(ref) if ref is not None and key == "accuracy" else None
        out.append(number_row(f"Table 5: ColorCNN, {label}", "Sec. 4.5.1, Table 5", TABLE5["colorcnn"][key], T5_SETUP,
                              here, ours, n, None if study is None else study.name, missing))
    for variant in ("colorcnn w/o regularization", "colorcnn w/o color jitter"):
        for key, label in what.items():
            paper = TABLE5[variant][key] - TABLE5["colorcnn"][key]
            note = " (the paper's bpp is in its own unit: only the direction compares)" if key == "bpp" else ""
            effect = Comparison("", TABLE5_LABELS[variant], TABLE5_LABELS["colorcnn"], at("colorcnn", TABLE5_BITS, key),
                                paper, sign(paper))
            out.append(effect_row(f"Table 5: {TABLE5_LABELS[variant]} − ColorCNN, {label}",
                                  "Sec. 4.5.1, Table 5" + note, study, [effect], T5_SETUP, "colorcnn_ablation"))
    return out


def group_default(study: Found, group: str) -> str | None:
    """The label in ``group`` that is the study's reference run (same evaluation)."""
    variants = study.data.get("variants", {})
    ref = variants.get(reference_label(study) or "", {}).get("evaluation_key")
    labels = study.data.get("groups", {}).get(group, [])
    return next((lab for lab in labels if ref is not None and variants.get(lab, {}).get("evaluation_key") == ref), None)


def interior_optimum(item: str, source: str, study: Found | None, group: str, measure: Measure, study_name: str,
                     ends: str = "smallest / largest") -> Entry:
    """A sweep's ends are both worse than its default (the paper: too small or too large hurts)."""
    labels = [] if study is None else study.data.get("groups", {}).get(group, [])
    default = None if study is None else group_default(study, group)
    pairs = [(lab, default) for lab in (labels[:1] + labels[-1:]) if lab != default] if default else []
    comparisons = [Comparison(f"{lab} − {base}", lab, base, measure, None, "down") for lab, base in pairs] or \
        [Comparison(ends, None, None, measure, None, "down")]
    return effect_row(f"{item} ({ends} − default)", source, study, comparisons, NOT_STATED, study_name, "claim")


def rows_fig17(study: Found | None) -> list[Entry]:
    """Sec. 4.5.1, Fig. 17: ξ and γ have interior optima; DnCNN is worse than U-Net for every classifier."""
    measure = at("colorcnn", TABLE5_BITS)
    out = [interior_optimum("ColorCNN: too small or too large colour jitter ξ costs accuracy", "Sec. 4.5.1, Fig. 17",
                             study, "xi", measure, "colorcnn_ablation"),
            interior_optimum("ColorCNN: too small or too large regularization γ costs accuracy", "Sec. 4.5.1, Fig. 17",
                             study, "gamma", measure, "colorcnn_ablation")]
    for clf in CLASSIFIERS:
        base = None if study is None else study_setup(study)[0]
        out.append(effect_row(f"ColorCNN: DnCNN − U-Net backbone, {CLASSIFIER_NAMES[clf]} (points)",
                              "Sec. 4.5.1, Fig. 17", study,
                              [Comparison("", f"{clf} · DnCNN", f"{clf} · U-Net", measure, None, "down")],
                              NOT_STATED, "colorcnn_ablation", "claim",
                              setup=None if base is None else setup_name(base, clf)))
    return out


def rows_table4(study: Found | None) -> list[Entry]:
    """Sec. 4.5.2, Table 4: each ColorCNN+ variant − λ=3 per bit (the paper's printed direction, or the
    text's: CE→KD similar, w/o augmentation not down at 6 bits), plus the text's other comparisons."""
    out = []
    ref, bits = TABLE4_DEFAULT, bits_in(study, BITS)
    for key, label in TABLE4_LABELS.items():
        if key == ref:
            continue
        verbatim = key == "colorcnn+ w/o bottleneck"  # Sec. 4.5.2 prints these deltas; no rebuilt cell is used
        comparisons = []
        for b in bits:
            paper = cell(BOTTLENECK_DELTAS, b) if verbatim else t4(key, b) - t4(ref, b)
            expect = ("similar" if key == "colorcnn+ CE->KD" else
                      "not down" if key == "colorcnn+ w/o augmentation" and b == 6 else sign(paper))
            comparisons.append(Comparison(bit_key(b), label, "λ=3", at("colorcnn+", b), paper, expect))
        flags = [] if verbatim else table4_flags((k, b) for k in (key, ref) for b in bits)
        source = "Sec. 4.5.2 (verbatim deltas), Table 4" if verbatim else "Sec. 4.5.2, Table 4"
        out.append(effect_row(f"Table 4: ColorCNN+ {label} − λ=3, per bit (points)", source, study, comparisons,
                               T4_SETUP, "variants_lambda", flags=flags))
    out.append(effect_row("ColorCNN+ λ=0 − λ=3, colours per image, 5–6 bits (limited use of the colour space)",
                           "Sec. 4.5.2, Fig. 15", study,
                           [Comparison(bit_key(b), "λ=0", "λ=3", at("colorcnn+", b, "colors_used"), None, "down")
                            for b in bits_in(study, LARGE_BITS)], T4_SETUP, "variants_lambda", "claim"))
    colorcnn_ref = None if study is None else next(
        (lab for lab, v in study.data.get("variants", {}).items() if "colorcnn" in v.get("methods", {})), None)
    out.append(effect_row("ColorCNN+ w/o augmentation − ColorCNN, 1–2 bits (points)", "Sec. 4.5.2, Table 4", study,
                           [Comparison(bit_key(b), "w/o augmentation", colorcnn_ref, at("colorcnn+", b),
                                       t4("colorcnn+ w/o augmentation", b) - t4("colorcnn", b), "down",
                                       at("colorcnn", b)) for b in bits_in(study, SMALL_BITS)],
                           T4_SETUP, "variants_lambda", "claim",
                           table4_flags(("colorcnn+ w/o augmentation", b) for b in bits_in(study, SMALL_BITS))))
    return out


def rows_fig18(study: Found | None) -> list[Entry]:
    """Sec. 4.5.2, Fig. 18: α and β have interior optima; the intermediate task pace beats every batch and
    every epoch (mean accuracy over the bits evaluated)."""
    bits = bits_in(study, BITS)
    measure = mean_at("colorcnn+", bits)
    src, over = "Sec. 4.5.2, Fig. 18", f"mean over {bits[0]}–{bits[-1]} bits"
    return [interior_optimum(f"ColorCNN+: too small or too large α (R_info) costs accuracy, {over}", src, study,
                             "alpha", measure, "colorcnn_plus_ablation"),
            interior_optimum(f"ColorCNN+: too small or too large β (R_conf) costs accuracy, {over}", src, study,
                             "beta", measure, "colorcnn_plus_ablation"),
            interior_optimum(f"ColorCNN+: a new task every batch or every epoch costs accuracy, {over}", src, study,
                             "pace", measure, "colorcnn_plus_ablation", "every batch / every epoch")]


# ------------------------------------------------------------------------------------------ the scorecard

def first(found: dict[str, dict[tuple[str, str], Found]], name_: str) -> Found | None:
    return next(iter(sorted(found.get(name_, {}).items())), (None, None))[1]


def build_rows(found: dict[str, dict[tuple[str, str], Found]]) -> list[Row]:
    """Every row, in the order of the paper's Sec. 4."""
    evaluations = found.get("evaluation", {})
    per_setup = [(evaluation_setup(k, f), f) for k, f in sorted(evaluations.items())]
    lam, abl, plus = (first(found, s) for s in STUDIES)
    out: list[Row] = [*numbers_table1(found.get("classifier", {})),
                       qualitative("ColorCNNs keep shapes and textures at 1 bit; ColorCNN+ at 5 bits more visually "
                                   "accurate than ColorCNN, comparable to MedianCut", "Sec. 4.2.1, Fig. 10, 11")]
    for setup, ev in per_setup:
        out += claims_small(ev, setup) + claims_large(ev, setup)
    out += claims_readings(found)
    if not per_setup:
        out.append(absent("Fig. 12 claims", "Sec. 4.2.2, Fig. 12", None, NOT_STATED,
                           "no complete evaluation (MedianCut, ColorCNN, ColorCNN+) in the results", "claim"))
    out += numbers_fig12(evaluations)
    out += rows_table2(found.get("multilabel_voc", {})) + rows_table3(found.get("stylized", {}))
    out.append(qualitative("AlexNet keeps coarse shapes; VGG16 and ResNet18 also fine details", "Sec. 4.3.3, Fig. 10"))
    for setup, ev in per_setup:
        out += claims_dither(ev, setup)
    out += claims_lambda(lam) + rows_tiny200(evaluations)
    for setup, ev in per_setup:
        out += claims_applications(ev, setup)
    out.append(claim_adversarial())
    out += rows_table5(abl) + rows_fig17(abl) + rows_table4(lam) + rows_fig18(plus)
    return out


def build(profile: str, results_dir: Path | None = None, expected: ExpectedPath | None = None) -> dict:
    """The scorecard of ``profile`` from ``results_dir`` (default ``results/<profile>``). ``expected`` names the
    file the profile's current config writes (:func:`colorcnn_repro.experiments.studies.current_result_path`);
    without it, the newest complete result of each kind is read."""
    results_dir = Path(results_dir) if results_dir is not None else results_root(profile)
    if not results_dir.is_dir():
        raise FileNotFoundError(f"no results folder {results_dir}; run `colorcnn reproduce --profile {profile}` first")
    found = load_results(results_dir, expected)
    entries = finalize(build_rows(found))
    sources = {f"{kind}:{ds}:{clf}": {"file": f.name, "config_key": f.data.get("config_key"),
                                      "matches_current_config": f.current}
               for kind, per in sorted(found.items()) for (ds, clf), f in sorted(per.items())}
    families: dict[str, int] = {}
    for e in entries:
        if e.family is not None:
            families[e.family] = families.get(e.family, 0) + 1
    return {"profile": profile, "sources": sources,
            "settings": {"alpha": ALPHA, "interval": "95 % Wilson", "correction": "Holm within each family",
                         "min_seeds": MIN_SEEDS, "noise_band": "t95(n-1) * s * sqrt(1/m + 1/k)",
                         "families": families},
            "summary": {v: sum(e.verdict == v for e in entries) for v in VERDICTS},
            "entries": [asdict(e) for e in entries]}


def _fmt(v: Value, signed: bool = False, digits: int = 1) -> str:
    """A value for display; a dict's keys are shown unless they are colour-space sizes."""
    if v is None:
        return "—"
    if isinstance(v, dict):
        bits_only = all("bit" in k for k in v)
        return " / ".join(_fmt(x, signed, digits) if bits_only else f"{k} {_fmt(x, signed, digits)}"
                          for k, x in v.items())
    return f"{v:+.{digits}f}" if signed else f"{v:.{digits}f}"


def rows(card: dict, numbers: Iterable[int] | None = None) -> list[list[str]]:
    """The scorecard as table rows, header first (shared by the Markdown and the HTML renderings); ``numbers``:
    only these rows (1-based, as numbered in the full table)."""
    out = [["", "claim or number (source)", "setup here (paper's)", "paper", "here", "difference", "test", "verdict"]]
    keep = None if numbers is None else set(numbers)
    for i, e in enumerate(card["entries"], 1):
        if keep is not None and i not in keep:
            continue
        signed = e["section"] == "claim" or "−" in e["item"]
        paper_setup = e.get("paper_setup")
        setup = e["setup"] if paper_setup in (None, e["setup"]) else f"{e['setup']} ({paper_setup})"
        flags = "".join(f" ⚑ {f}." for f in e.get("flags", []))
        flags = f".{flags}" if flags else ""
        digits = 3 if "bpp" in e["item"] else 1
        out.append([str(i), f"{e['item']} ({e['source']})", setup, _fmt(e["paper"], signed, digits),
                    _fmt(e["ours"], signed, digits), _fmt(e["difference"], True, digits), e["test"] or "—",
                    f"**{e['verdict']}**: {e['reason']}{flags}"])
    return out


def summary_line(card: dict) -> str:
    s = card["summary"]
    return (f"`{card['profile']}` profile: {s[HOLDS]} hold, {s[FAILS]} do not hold, {s.get(INCONCLUSIVE, 0)} "
            f"inconclusive, {s[UNMEASURABLE]} not measurable here.")


RULES = ("Rules (docstring of `colorcnn_repro/report/scorecard.py`): a number holds when the paper's value lies in "
         "our 95 % Wilson interval; paired claims use McNemar, Holm-corrected within each family, α = 0.05, and are "
         "inconclusive where the test tells the difference from none in neither direction; \"close\" is "
         f"non-inferiority at a margin of {CLOSE_MARGIN:g} points fixed in advance; "
         "unpaired comparisons need disjoint Wilson intervals; a study effect is judged against the noise of ≥ 3 "
         "seeds of the study's reference variant; nothing is subtracted across setups (the paper's setup is in "
         "brackets); ⚑ marks paper values resting on Table 4 cells rebuilt from garbled text.")


def _generated(card: dict) -> str:
    return (f"Generated from `{scorecard_path_name(card['profile'])}` by `colorcnn scorecard "
            f"--profile {card['profile']}` (also run by `make report`); do not edit by hand.")


def _table(table: list[list[str]]) -> list[str]:
    table = [[c.replace("|", "\\|") for c in r] for r in table]
    table.insert(1, ["---"] * len(table[0]))
    return ["| " + " | ".join(r) + " |" for r in table]


def to_markdown(card: dict) -> str:
    """The full table's block (``docs/scorecard.md``): a summary, the rules, the sources, and every row."""
    stale = [v["file"] for v in card["sources"].values() if not v["matches_current_config"]]
    lines = [f"Scorecard of the {summary_line(card)} {RULES} {_generated(card)}", ""]
    if stale:
        lines += ["Results read that the profile's current config would not write (older configs; newest complete "
                  "file used): " + ", ".join(f"`{Path(f).name}`" for f in stale) + ".", ""]
    return "\n".join(lines + _table(rows(card))) + "\n"


def section_tally(card: dict) -> list[list[str]]:
    """Verdicts per section of the paper (``Sec. 4.2.2`` …, in the paper's order), header first."""
    tally: dict[str, dict[str, int]] = {}
    for e in card["entries"]:
        m = re.match(r"Sec\. ([\d.]+)", e["source"])
        sec = m[1] if m else "other"
        counts = tally.setdefault(sec, dict.fromkeys(VERDICTS, 0))
        counts[e["verdict"]] += 1
    order = sorted(tally, key=lambda k: [int(x) for x in k.split(".")] if k != "other" else [99])
    return [["section", *VERDICTS]] + [[f"Sec. {k}" if k != "other" else k, *map(str, tally[k].values())]
                                        for k in order]


def headline_numbers(card: dict) -> list[int]:
    """Rows (1-based) of the paired, Holm-corrected claims on the first setup the families name: learned
    against classical quantizers, the paper's central claims."""
    families = [e["family"] for e in card["entries"] if e.get("family")]
    if not families:
        return []
    setup = families[0].rsplit(" · ", 2)[-2:]
    return [i for i, e in enumerate(card["entries"], 1)
            if e.get("family") and e["family"].rsplit(" · ", 2)[-2:] == setup]


def summary_markdown(card: dict) -> str:
    """README.md's block: the tally, the rules, the tally per section, the headline claims; the full table is
    :data:`SCORECARD_DOC`'s."""
    lines = [f"Scorecard of the {summary_line(card)} {RULES} Every row, with its reason: "
             f"[{_rel(SCORECARD_DOC)}]({_rel(SCORECARD_DOC)}). {_generated(card)}", ""]
    lines += _table(section_tally(card)) + [""]
    headline = headline_numbers(card)
    if headline:
        lines += ["The paper's central claims here (paired McNemar tests, Holm-corrected within each family; row "
                  "numbers as in the full table):", ""] + _table(rows(card, headline))
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


def update_block(card: dict, path: Path, render: Callable[[dict], str]) -> bool:
    """Replace the scorecard block of the Markdown file ``path`` with ``render(card)`` when it is this profile's;
    True when the file changed."""
    text = path.read_text()
    block, m = readme_block(text), BEGIN.search(text)
    if block is None or m is None or block[0] != card["profile"]:
        return False
    new = render(card)
    if block[1] == new:
        return False
    path.write_text(text[:m.end()] + new + text[text.find(END, m.end()):])
    return True


def update_readme(card: dict, readme: Path = README, doc: Path = SCORECARD_DOC) -> bool:
    """Refresh README.md's summary block and the full table's block in ``doc``; True when either changed."""
    return update_block(card, readme, summary_markdown) | update_block(card, doc, to_markdown)


def regenerate(profile: str, readme: Path | None = README, expected: ExpectedPath | None = None) -> tuple[dict, Path]:
    """Build (:func:`build`) and write ``results/<profile>/scorecard.json``; refresh the README's block and
    :data:`SCORECARD_DOC`'s when they are this profile's."""
    card = build(profile, None, expected)
    path = write(card)
    if readme is not None:
        update_readme(card, readme)
    return card, path
