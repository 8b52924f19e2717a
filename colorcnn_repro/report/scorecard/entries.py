"""The scorecard's verdicts, constants and row types (:class:`Entry`, :class:`Pending`)."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ...methods import LEARNED
from ...paper_numbers import (
    TABLE4_DEFAULT,
)
from ...paths import REPO_ROOT
from ...quantizers.classical import METHODS as CLASSICAL_METHODS

HOLDS, FAILS, INCONCLUSIVE, UNMEASURABLE = "holds", "does not hold", "inconclusive", "not measurable here"
VERDICTS = (HOLDS, FAILS, INCONCLUSIVE, UNMEASURABLE)
#: The non-inferiority margin of the "close to MedianCut" claims, fixed before they were judged (points).
CLOSE_MARGIN = 2.0
#: Significance level of every test, after Holm's correction within a family.
ALPHA = 0.05
#: Seeds of a study's reference variant needed for a noise level.
MIN_SEEDS = 3
PAPER_CLASSICAL = ("mediancut", "octree", "dither")
CLASSICAL_HERE = tuple(CLASSICAL_METHODS)
MAIN_METHODS = ("mediancut", *LEARNED)
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
#: The Table 4 row of each method of the main evaluation where it is not the method's own name: ColorCNN+ at λ = 3.
TABLE4_ROWS = {"colorcnn+": TABLE4_DEFAULT}
TABLE4_NAMES = {"mediancut": "MedianCut", "colorcnn": "ColorCNN", **TABLE4_LABELS}
TABLE5_LABELS = {"colorcnn": "ColorCNN", "colorcnn w/o regularization": "w/o regularization (γ=0)",
                 "colorcnn w/o color jitter": "w/o color jitter (ξ=0)"}
SEED_LABEL = re.compile(r"^(?P<label>.+) \(seed (?P<seed>\d+)\)$")
FAMILIES = {
    "small_paper": "1–2 bits: learned above the paper's classical methods",
    "small_here": "1–2 bits: learned above the strongest classical method here",
    "behind": "5–6 bits: ColorCNN behind the paper's classical methods",
    "plus_over": "5–6 bits: ColorCNN+ above ColorCNN",
    "dither": "1–2 bits: dithering behind MedianCut",
}
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

