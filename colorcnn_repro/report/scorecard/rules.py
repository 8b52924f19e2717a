"""The scorecard's rules, one per kind of row: numbers (Wilson), paired claims (McNemar, Holm), unpaired
comparisons and study effects (seed noise), and the helpers that read values from results."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from ...imitation_schedule import READING_PREFIX, READINGS
from ...methods import LEARNED
from ...names import CLASSIFIER_NAMES, DATASET_NAMES, METHOD_NAMES
from ...paper_numbers import (
    JPEG_CLAIMS,
    TABLE4,
    TABLE4_DEFAULT,
    TABLE4_REBUILT,
    TABLE4_UNCERTAIN,
    ordered_methods,
    significance_of,
)
from ...results import Scores
from ...stats import holm, paired_se, wilson, z_two_sided
from .entries import (
    ALPHA,
    CLASSICAL_HERE,
    CLOSE_MARGIN,
    FAILS,
    FAMILIES,
    HOLDS,
    INCONCLUSIVE,
    LARGE_BITS,
    NOT_STATED,
    PAPER_CLASSES,
    PAPER_CLASSICAL,
    SMALL_BITS,
    TABLE4_NAMES,
    TABLE4_ROWS,
    TABLE4_SETUP,
    UNMEASURABLE,
    Entry,
    Pending,
    Row,
    Value,
)
from .load import Found


def fmt_p(p: float) -> str:
    """``p`` to two significant digits, or more where two would round it across ALPHA."""
    short = f"{p:.2g}"
    return short if (float(short) < ALPHA) == (p < ALPHA) else f"{p:.4g}"


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
    point = Scores(result).find(method, bits) if "methods" in result else None
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
    key = TABLE4_ROWS.get(method, method)
    return t4(key, bits) - t4(than, bits), table4_flags([(key, bits), (than, bits)])


T4_SETUP = setup_name(*TABLE4_SETUP)
FIG12_SOURCE = "Sec. 4.2.2, Fig. 12; paper value: Table 4"


def claims_small(ev: Found, setup: str, methods: Sequence[str] = tuple(LEARNED), reading: str = "") -> list[Row]:
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
            for b, p in Scores(ev.data).per_bits(method).items()] if method in Scores(ev.data) else []


def jpeg_curve(ev: Found) -> list[Point]:
    n = count(ev.data) or 0
    return [Point(f"JPEG q{j['quality']}", j["bpp"], j["accuracy"], n) for j in ev.data.get("jpeg", [])]


WILSON_TEST = "95 % Wilson intervals disjoint (unpaired; no p-value)"
FIG16 = "Sec. 4.4, Fig. 16"


#: What an evaluation lacks for a test of per-image means, and how to get it.
NO_SPREAD = ("this evaluation stores no per-image spread of {key} (evaluations since the spread was added do: "
             "`colorcnn evaluate --force` recomputes it)")


def mean_difference(ev: Found, a: tuple[str, int], b: tuple[str, int], key: str) -> tuple[float, float] | None:
    """``key``'s mean of method ``a[0]`` at ``a[1]`` bits − that of ``b``, and its z: the difference over
    √(s_a²/n + s_b²/n) from the per-image standard deviations (``<key>_sd``) of the same n images. Treating the
    paired images as unpaired only widens the interval. None where a mean or a spread is not stored."""
    n = count(ev.data)
    pa, pb = (Scores(ev.data).find(m, bits) if m in Scores(ev.data) else None for m, bits in (a, b))
    if not n or pa is None or pb is None or f"{key}_sd" not in pa or f"{key}_sd" not in pb:
        return None
    se = math.sqrt((pa[f"{key}_sd"] ** 2 + pb[f"{key}_sd"] ** 2) / n)
    diff = pa[key] - pb[key]
    return diff, (diff / se if se else math.copysign(math.inf, diff) if diff else 0.0)


def judge_z(zs: Mapping[str, float], sign: int) -> tuple[str, str]:
    """Every difference in the claimed direction (``sign``) beyond z = 1.96 holds, one the other way beyond it does
    not hold, otherwise inconclusive."""
    z95 = z_two_sided(ALPHA)
    against = [k for k, z in zs.items() if z * sign < -z95]
    short = [k for k, z in zs.items() if z * sign <= z95]
    if against:
        return FAILS, f"significantly the other way at {', '.join(against)}"
    if short:
        return INCONCLUSIVE, f"not significant at {', '.join(short)} (|z| ≤ {z95:.2f})"
    return HOLDS, f"significant at every step (z > {z95:.2f})"


def claim_rate_and_accuracy(ev: Found, setup: str) -> list[Entry]:
    """Sec. 4.4: with more colours the PNGs take more bits and are better recognized (every method)."""
    methods = [m for m in ordered_methods(Scores(ev.data).methods) if len(curve(ev, m)) > 1]
    falls = [f"{name(m)} {a.bits}→{b.bits} bit" for m in methods
             for a, b in zip(curve(ev, m), curve(ev, m)[1:]) if b.bpp <= a.bpp]
    sizes = {m: Scores(ev.data).bits(m) for m in methods}
    steps = {f"{name(m)} {a}→{b} bit": mean_difference(ev, (m, b), (m, a), "bpp")
             for m in methods for a, b in zip(sizes[m], sizes[m][1:])}
    item = "PNG bitrate rises with the colour-space size, every method"
    if not steps or any(v is None for v in steps.values()):
        rate = Entry("claim", item, FIG16, setup, None, None, None, None, UNMEASURABLE,
                     NO_SPREAD.format(key="bitrate") + "; the mean bitrates here " +
                     (f"fall at {', '.join(falls)}" if falls else "rise at every step for every method"),
                     ev.name, NOT_STATED)
    else:
        zs = {k: v[1] for k, v in steps.items() if v is not None}
        rate = Entry("claim", item, FIG16, setup, None, None, None, "z of each step from the images' bitrate spread "
                     "(unpaired, conservative)", *judge_z(zs, +1), ev.name, NOT_STATED)
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
        present = [m for m in pool if m in Scores(ev.data)]
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
    judged when a JPEG reaches our bitrate. Where none is as cheap (32×32 JPEGs cost more than any 1-bit PNG), the
    claim is not measurable at equal bitrate: beating the cheapest JPEG at fewer bits would say nothing, as the
    MedianCut control row (``method="mediancut"``, no paper value) shows."""
    control = method not in JPEG_CLAIMS
    claim = JPEG_CLAIMS["colorcnn"] if control else JPEG_CLAIMS[method]
    item = f"{'control: ' if control else ''}1-bit {name(method)} − JPEG at ≤ its bitrate (points)"
    source = (f"{FIG16}; paper: under {claim['max_bpp']} \"bits\" per pixel (bytes per pixel of RGB PNGs in the "
              "authors' code)" + ("; a classical method, to show what the comparison can tell" if control else ""))
    paper = None if control else claim["gain"]
    ours = next((p for p in curve(ev, method) if p.bits == claim["bits"]), None)
    jpeg = jpeg_curve(ev)
    if ours is None or not jpeg or not ours.n:
        return Entry("claim", item, source, setup, paper, None, None, None, UNMEASURABLE,
                     f"no {claim['bits']}-bit {name(method)}, JPEG curve or image count in the evaluation", ev.name,
                     NOT_STATED)
    cheaper = [j for j in jpeg if j.bpp <= ours.bpp]
    rival = max(cheaper, key=lambda j: j.acc) if cheaper else min(jpeg, key=lambda j: j.bpp)
    gain = 100 * (ours.acc - rival.acc)
    test = f"{WILSON_TEST}: {name(method)} vs {rival.label}; no per-image JPEG results stored, so no paired test"
    row = lambda verdict, reason: Entry("claim", item, source, setup, paper, gain, None, test, verdict,  # noqa: E731
                                        reason, ev.name, NOT_STATED)
    if cheaper:
        return row(*((HOLDS, f"{ours} significantly above the best JPEG at no more bits, {rival}") if ours.above(rival)
                     else (FAILS, f"{ours} not significantly above the best JPEG at no more bits, {rival}")))
    beyond = ("significantly more accurate" if ours.above(rival) else "not significantly more accurate"
              if ours.acc > rival.acc else "no more accurate")
    return row(UNMEASURABLE, f"not measurable at equal bitrate: no JPEG as cheap as {ours}; the cheapest is {rival} "
                             f"(ours: {beyond} at fewer bits; the MedianCut control row shows what that says of a "
                             "classical method)")


def claim_plus_bits(ev: Found, setup: str) -> Entry:
    """Sec. 4.4: ColorCNN+ takes more bits than ColorCNN at large colour spaces (uses them more fully)."""
    ours = {bit_key(b): difference(metric(ev.data, "colorcnn+", b, "bpp"), metric(ev.data, "colorcnn", b, "bpp"))
            for b in LARGE_BITS}
    tests = {bit_key(b): mean_difference(ev, ("colorcnn+", b), ("colorcnn", b), "bpp") for b in LARGE_BITS}
    item = "ColorCNN+ − ColorCNN bitrate, 5–6 bits (bpp)"
    if any(v is None for v in tests.values()):
        return Entry("claim", item, FIG16, setup, None, _collapse(ours), None, None, UNMEASURABLE,
                     NO_SPREAD.format(key="bitrate"), ev.name, NOT_STATED)
    zs = {k: v[1] for k, v in tests.items() if v is not None}
    return Entry("claim", item, FIG16, setup, None, _collapse(ours), None, "z from the images' bitrate spread "
                 "(unpaired, conservative)", *judge_z(zs, +1), ev.name, NOT_STATED)


def claim_fidelity(ev: Found, setup: str) -> Entry:
    """Sec. 4.2.1: at 5 bits ColorCNN+ is more visually accurate than ColorCNN, measured as the paper measures
    fidelity, by pixel error against the original (mean squared error over pixels and channels, 0–255)."""
    item = "ColorCNN+ − ColorCNN pixel error (MSE), 5 bits (lower: more visually accurate)"
    test = mean_difference(ev, ("colorcnn+", 5), ("colorcnn", 5), "mse")
    if test is None:
        return Entry("claim", item, "Sec. 4.2.1, Fig. 10, 11", setup, None, None, None, None, UNMEASURABLE,
                     NO_SPREAD.format(key="pixel error"), ev.name, NOT_STATED)
    return Entry("claim", item, "Sec. 4.2.1, Fig. 10, 11", setup, None, test[0], None,
                 "z from the images' pixel-error spread (unpaired, conservative)", *judge_z({"5 bit": test[1]}, -1),
                 ev.name, NOT_STATED)
