"""The scorecard's rule for study effects: a variant − its baseline judged against the noise band of the
reference variant's seeds."""
from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ...results import Scores
from ...stats import noise_band
from ...study_settings import STUDY_REFERENCE
from .entries import (
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    MIN_SEEDS,
    SEED_LABEL,
    UNMEASURABLE,
    Entry,
)
from .load import Found
from .rules import _collapse, absent, difference, mean, metric, same_setup_difference, setup_name

# ------------------------------------------------------------------------------------------ effects (noise rule)

Measure = Callable[[dict], float | None]


def at(method: str, bits: int, key: str = "accuracy") -> Measure:
    return lambda variant: metric(variant, method, bits, key)


def mean_at(method: str, bits: Sequence[int], key: str = "accuracy") -> Measure:
    return lambda variant: mean(metric(variant, method, b, key) for b in bits)


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
    """The study's reference variant (``study_settings.STUDY_REFERENCE``, else the one labelled ``… (default)``)."""
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
            for b in (Scores(v).bits(method) if method in Scores(v) else ())}
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

