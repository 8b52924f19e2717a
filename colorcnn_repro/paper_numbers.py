"""The paper's published numbers, read from ``paper_results.json`` beside this module, and helpers that set our
results beside them.

The JSON is the data: each table in the layout of our own results (``methods`` → bits → metrics, accuracies
as fractions, read with :class:`~colorcnn_repro.results.Scores`), with its section, setting and, for Table 4,
how each cell was rebuilt from the garbled text extraction (``rebuilt``, ``notes``). This module gives the
tables in percent, as printed ("Learning to Structure an Image with Few Colors and Beyond", Hou, Zheng, Gould),
per-bit rows as dicts ``{bits: value}`` for colour-space sizes 2**bits.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .names import DATASET_NAMES, METHOD_NAMES
from .results import Scores

BITS = (1, 2, 3, 4, 5, 6)
DATASETS = ("cifar10", "cifar100", "stl10", "tinyimagenet")
CLASSIFIERS = ("alexnet", "vgg16", "resnet18")
#: The paper's numbers as data.
PAPER_RESULTS: dict[str, Any] = json.loads((Path(__file__).with_name("paper_results.json")).read_text("utf-8"))


def ordered_methods(methods: Iterable[str]) -> list[str]:
    """Method names in the paper's order (classical first, learned last), unknown ones after."""
    known = [m for m in METHOD_NAMES if m in methods]
    return known + sorted(m for m in methods if m not in METHOD_NAMES)


def percent(fraction: float) -> float:
    """A printed percentage from its fraction in the JSON (one decimal as printed, no float residue)."""
    return round(100 * fraction, 6)


def paper_table(name: str) -> dict[str, Any]:
    """One table of :data:`PAPER_RESULTS` (``table1`` … ``table5``), in our results' layout."""
    return PAPER_RESULTS["tables"][name]


def _rows(table: Mapping[str, Any], metric: str = "accuracy") -> dict[str, dict[int, float | None]]:
    """``{method: {bits: metric in %}}`` of a table in the results' layout."""
    scores = Scores(table)
    return {m: {b: (percent(v) if (v := (scores.find(m, b) or {}).get(metric)) is not None else None)
                for b in scores.bits(m)} for m in scores.methods}


_T1, _T2, _T3, _T4, _T5 = (paper_table(f"table{i}") for i in range(1, 6))
#: Table 1: classification accuracy (%) of the classifiers on original images (Sec. 4.1).
TABLE1: dict[tuple[str, str], float] = {(r["dataset"], r["classifier"]): percent(r["accuracy"]) for r in _T1["rows"]}
#: Table 2: Pascal VOC 2012, ResNet18 multi-label classifier: exact-match accuracy and mAP (%).
TABLE2: dict[str, Any] = {"original": {k: percent(v) for k, v in _T2["original"].items()},
                          "accuracy": _rows(_T2), "mAP": _rows(_T2, "mAP")}
#: Table 3: Style14 (stylized ImageNet subset), ResNet18: accuracy (%); ``original`` on original (stylized) images.
TABLE3: dict[str, Any] = {"original": percent(_T3["original"]["accuracy"]), **_rows(_T3)}
#: Table 4: CIFAR100, ResNet18 classifier (original-image accuracy 76.4, Table 1), rebuilt from the garbled
#: extraction as the JSON's ``notes`` and ``rebuilt`` say.
TABLE4: dict[str, dict[int, float | None]] = _rows(_T4)
TABLE4_DEFAULT: str = _T4["default"]
#: (row, bits) cells of Table 4 whose value is one of two candidates told apart only by extraction order.
TABLE4_UNCERTAIN: frozenset[tuple[str, int]] = frozenset((c["row"], c["bits"]) for c in _T4["rebuilt"]
                                                         if c["uncertain"])
#: Table 4 cells not read as printed in their row's order of the extraction, with how each was rebuilt.
#: ColorCNN's row is the only one read as printed; :data:`TABLE4_UNCERTAIN` is the ambiguous subset.
TABLE4_REBUILT: dict[tuple[str, int], str] = {(c["row"], c["bits"]): c["how"] for c in _T4["rebuilt"]}
_CLAIMS = PAPER_RESULTS["claims"]
#: Sec. 4.5.2, verbatim: w/o bottleneck minus λ=3 per bit.
BOTTLENECK_DELTAS: dict[int, float] = {int(b): v for b, v in _CLAIMS["bottleneck_deltas"]["values"].items()}


def table4_main_rows() -> dict[str, dict[int, float | None]]:
    """Table 4's MedianCut, ColorCNN and ColorCNN+ (λ=3) rows, keyed by our method names."""
    return {"mediancut": TABLE4["mediancut"], "colorcnn": TABLE4["colorcnn"], "colorcnn+": TABLE4[TABLE4_DEFAULT]}


#: Table 5: ColorCNN variants, 3-bit colour space, STL10, AlexNet: accuracy (%), colours per image, bits per pixel.
_S5 = Scores(_T5)
TABLE5: dict[str, dict[str, float]] = {m: {**(cell := _S5.metrics(m, 3)), "accuracy": percent(cell["accuracy"])}
                                       for m in _S5.methods}
#: Sec. 4.4 / Fig. 16: under 0.2 bits per pixel, the 1-bit learned quantizer beats JPEG by this many points.
#: The text does not say which dataset and classifier Fig. 16 uses.
JPEG_CLAIMS: dict[str, dict[str, float]] = _CLAIMS["jpeg"]["values"]
#: Sec. 4.3.6: Tiny200, 1 bit, MedianCut accuracy (%) per classifier.
TINY200_MEDIANCUT_1BIT: dict[str, float] = _CLAIMS["tiny200_mediancut_1bit"]["values"]
#: Sec. 4.3.2: Style14, 1 bit, ColorCNN+ minus MedianCut (points).
STYLE14_GAIN_1BIT: float = _CLAIMS["style14_gain_1bit"]["value"]
#: Sec. 4.5.1: ColorCNN without colour jitter loses this much (Table 5).
NO_JITTER_DROP: float = _CLAIMS["no_jitter_drop"]["value"]


# ---------------------------------------------------------------- helpers

def _pct(x: float | None, digits: int = 1) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def markdown_table(rows: list[list[str]]) -> str:
    """A GitHub-style markdown table; ``rows[0]`` is the header."""
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    fmt = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([fmt(rows[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(fmt, rows[1:])])


def significance_of(result: dict, bits: int | str, a: str, b: str) -> dict | None:
    """The paired test entry between methods ``a`` and ``b`` at ``bits`` (either key order), or None."""
    table = result.get("significance", {}).get(str(bits), {})
    return table.get(f"{a} vs {b}") or table.get(f"{b} vs {a}")


def table_beside_paper(result: dict, paper_rows: dict[str, dict[int, float | None]] | None = None,
                       methods: list[str] | None = None, baseline: str = "mediancut",
                       markdown: bool = True) -> str | list[list[str]]:
    """Our accuracy (%) per method and colour-space size beside the paper's rows.

    For each method: a row "ours", with the McNemar p-value against ``baseline`` under it (and the paper's
    ★ notation: ★★★ p < 0.001), then "paper" when ``paper_rows`` has the method. Returns a markdown string,
    or the rows (header first) when ``markdown=False``.
    """
    paper_rows = paper_rows or {}
    scores = Scores(result)
    bits = scores.bits()
    methods = methods or ordered_methods(scores.methods)
    rows = [["method", "source", *(f"{b} bit" for b in bits)]]
    for m in methods:
        name = METHOD_NAMES.get(m, m)
        rows.append([name, "ours", *(_pct(100 * scores.accuracy(m, b)) if scores.find(m, b) else "—" for b in bits)])
        if m != baseline and baseline in scores:
            cells = []
            for b in bits:
                sig = significance_of(result, b, m, baseline)
                cells.append("—" if sig is None else f"p={sig['p']:.2g}{' ' + sig['stars'] if sig['stars'] else ''}")
            rows.append(["", f"vs {METHOD_NAMES.get(baseline, baseline)}", *cells])
        if m in paper_rows:
            rows.append(["", "paper", *(_pct(paper_rows[m].get(b)) for b in bits)])
    return markdown_table(rows) if markdown else rows


def table1_beside_paper(ours: dict[tuple[str, str], float | None], markdown: bool = True) -> str | list[list[str]]:
    """Table 1 layout (classifiers × datasets), each cell "ours / paper" in %; ``ours`` holds fractions."""
    rows = [["classifier", *(DATASET_NAMES[d] for d in DATASETS)]]
    for c in CLASSIFIERS:
        cells = []
        for d in DATASETS:
            mine = ours.get((d, c))
            cells.append(f"{_pct(None if mine is None else 100 * mine)} / {_pct(TABLE1[(d, c)])}")
        rows.append([c, *cells])
    return markdown_table(rows) if markdown else rows


def smallest_indexed_png_bpp(height: int = 32, width: int = 32) -> float:
    """Bits per pixel of the smallest indexed PNG our encoder writes at this size (one flat colour):
    the container's fixed cost, a floor no quantizer can go below."""
    import numpy as np

    from .quantized import Quantized

    return Quantized(np.zeros((height, width), np.uint8), np.zeros((1, 3), np.uint8)).bpp()


def smallest_jpeg_bpp(height: int = 32, width: int = 32) -> float:
    """Bits per pixel of a flat image at JPEG quality 1: the JPEG container's floor at this size."""
    import numpy as np

    from .quantized import jpeg_bpp

    return jpeg_bpp(np.zeros((height, width, 3), np.uint8), 1)[1]


def jpeg_comparison(result: dict, method: str = "colorcnn+", bits: int = 1) -> dict[str, Any]:
    """Check the Sec. 4.4 claim on our result: does ``method`` at ``bits`` beat every JPEG point whose bpp is
    at most its own? Returns our point, the best JPEG point at ≤ that bpp (None when JPEG never gets that
    low), the gain in points, the paper's claim and a one-line verdict."""
    point = Scores(result).metrics(method, bits)
    ours = {"accuracy": point["accuracy"], "bpp": point["bpp"]}
    cheaper = [j for j in result.get("jpeg", []) if j["bpp"] <= ours["bpp"]]
    best = max(cheaper, key=lambda j: j["accuracy"]) if cheaper else None
    claim = JPEG_CLAIMS.get(method)
    name = METHOD_NAMES.get(method, method)
    if best is None:
        lowest = min((j["bpp"] for j in result.get("jpeg", [])), default=float("nan"))
        verdict = (f"not comparable at this scale: {bits}-bit {name} takes {ours['bpp']:.3f} bpp, but the "
                   f"lowest-bitrate JPEG point takes {lowest:.3f} bpp")
        gain = None
    else:
        gain = 100 * (ours["accuracy"] - best["accuracy"])
        verdict = (f"{bits}-bit {name} ({100 * ours['accuracy']:.1f}% at {ours['bpp']:.3f} bpp) "
                   f"{'beats' if gain > 0 else 'does not beat'} the best JPEG at ≤ that bitrate "
                   f"(quality {best['quality']}: {100 * best['accuracy']:.1f}% at {best['bpp']:.3f} bpp) "
                   f"by {gain:+.1f} points")
    if claim:
        verdict += f"; paper: {claim['gain']:+.1f} points under {claim['max_bpp']} bpp"
        within = ours["bpp"] <= claim["max_bpp"]
        verdict += f" (our point is {'within' if within else 'above'} {claim['max_bpp']} bpp)"
    return {"method": method, "bits": bits, "ours": ours, "jpeg": best, "gain": gain,
            "beats_jpeg": None if gain is None else gain > 0, "paper": claim, "verdict": verdict}
