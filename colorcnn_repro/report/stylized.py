"""Table 3, Fig. 14 and the 1-bit gain of the stylized-image study
(:func:`colorcnn_repro.experiments.studies.stylized`, notebook ``11_stylized``), read from its result JSON."""
from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from matplotlib.figure import Figure

from .. import paper_numbers
from ..plots import accuracy_vs_colors
from ..results import Examples, Scores
from .examples import Spec, data_study_figure, data_study_spec, only_variant
from .main import margin_vs_mediancut

METHODS = ("mediancut", "colorcnn+")


def _paper_rows() -> dict[str, dict[int, float | None]]:
    return {m: paper_numbers.TABLE3[m] for m in METHODS}


def _smallest_bits(v: Mapping) -> int:
    return min(Scores(v).bits("colorcnn+"))


def table3(result: Mapping) -> str:
    """Markdown: the setup line, then accuracy (%) with McNemar p against MedianCut beside the paper's Table 3."""
    _, v = only_variant(result)
    return (f"Accuracy (%), ours ({v['data']['name']}, {result['config']['classifier']['classifier']}, "
            f"{result['profile']} profile, {v['data']['count']} {v['data']['split']} images; original images "
            f"{100 * v['original']['accuracy']:.1f}%) with McNemar p-values against MedianCut, and the paper's "
            f"Table 3 (Style14 / ResNet18; original {paper_numbers.TABLE3['original']}%).\n\n"
            + cast(str, paper_numbers.table_beside_paper(cast(dict, v), _paper_rows())))


def table3_figure(result: Mapping) -> Figure:
    """Accuracy against colour-space size, the paper's Table 3 rows overlaid."""
    _, v = only_variant(result)
    return accuracy_vs_colors({**v, "profile": result["profile"], "config": result["config"]}, paper=_paper_rows())


def fig14_spec(result: Mapping) -> Spec:
    """Fig. 14: MedianCut and ColorCNN+ at the smallest size run."""
    return data_study_spec(result, _smallest_bits(only_variant(result)[1]))


def fig14(result: Mapping, examples: Examples) -> Figure:
    """Fig. 14: four images of :func:`fig14_spec`."""
    return data_study_figure(result, examples, "Fig. 14: stylized images")


def gain_summary(result: Mapping) -> str:
    """One markdown line: ColorCNN+ − MedianCut at the smallest size run (with the McNemar p), beside the
    paper's +30 points at 1 bit."""
    _, v = only_variant(result)
    b = _smallest_bits(v)
    return (f"- {b} bit, ColorCNN+ − MedianCut: {margin_vs_mediancut(v, 'colorcnn+', b)}, paper "
            f"{paper_numbers.STYLE14_GAIN_1BIT:+.1f} points at 1 bit ({result['data_source']})")
