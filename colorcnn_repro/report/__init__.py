"""What the reproduction shows: the scorecard (:mod:`.scorecard`: the paper's claims and numbers against
``results/<profile>/``) and the HTML report of the executed notebooks (:mod:`.html`).
``colorcnn report --profile cpu`` (``make report``, ``colorcnn reproduce --report``) writes both.
Light to import: torch, nbformat and nbconvert are imported only when a report or scorecard is built."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..paths import REPO_ROOT

#: ``(stage or study, dataset, classifier) -> the result file the profile's current config writes``.
ExpectedPath = Callable[[str, str, str], Path | None]
NOTEBOOKS = REPO_ROOT / "build" / "notebooks"
REPORT = REPO_ROOT / "build" / "report"


def make_report(profile: str, notebooks: Path = NOTEBOOKS, out: Path = REPORT, readme: bool = True,
                expected: ExpectedPath | None = None) -> Path:
    """Regenerate ``results/<profile>/scorecard.json`` (and README.md's block when it is this profile's; the
    current result files by ``expected``, see :func:`.scorecard.build`), then convert the executed notebooks in
    ``notebooks`` to ``out/``; returns ``out/index.html``."""
    from . import scorecard
    from .html import build_report

    card, path = scorecard.regenerate(profile, scorecard.README if readme else None, expected)
    print(f"scorecard: {scorecard.summary_line(card)} → {path}")
    return build_report(notebooks, out, card)
