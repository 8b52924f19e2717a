"""What the reproduction shows: the scorecard (:mod:`.scorecard`: the paper's claims and numbers against
``results/<profile>/``) and the HTML report of the executed notebooks (:mod:`.html`).
``python -m colorcnn_repro.report --profile cpu`` (``make report``, ``colorcnn reproduce --report``) writes both.
Light to import: torch, nbformat and nbconvert are imported only when a report or scorecard is built."""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from ..paths import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "build" / "notebooks"
REPORT = REPO_ROOT / "build" / "report"


def run_tool(tool: str, action: Callable[[], str]) -> int:
    """Exit status of a command line: 0 after printing ``action()``'s line, or 2 after printing
    ``<tool>: error: …`` for an OSError or ValueError (missing or malformed results, a bad profile)."""
    try:
        line = action()
    except (OSError, ValueError) as exc:
        print(f"{tool}: error: {exc}", file=sys.stderr)
        return 2
    print(line)
    return 0


def make_report(profile: str, notebooks: Path = NOTEBOOKS, out: Path = REPORT, readme: bool = True) -> Path:
    """Regenerate ``results/<profile>/scorecard.json`` (and README.md's block when it is this profile's), then
    convert the executed notebooks in ``notebooks`` to ``out/``; returns ``out/index.html``."""
    from . import scorecard
    from .html import build_report

    card, path = scorecard.regenerate(profile, scorecard.README if readme else None)
    print(f"scorecard: {scorecard.summary_line(card)} → {path}")
    return build_report(notebooks, out, card)
