"""``python -m colorcnn_repro.report --profile cpu``: the scorecard (JSON and README block) and the HTML report
of the executed notebooks (what ``make report`` runs)."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import NOTEBOOKS, REPORT, make_report, run_tool


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m colorcnn_repro.report", description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="cpu", help="results/<profile>/ to score (default: %(default)s)")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, metavar="DIR",
                        help="executed notebooks (default: <repo>/build/notebooks)")
    parser.add_argument("--out", type=Path, default=REPORT, metavar="DIR",
                        help="report folder (default: <repo>/build/report)")
    parser.add_argument("--no-readme", action="store_true", help="leave README.md's scorecard block as it is")
    args = parser.parse_args(argv)

    def report() -> str:
        return f"report: {make_report(args.profile, args.notebooks, args.out, readme=not args.no_readme)}"

    return run_tool("report", report)


if __name__ == "__main__":
    sys.exit(main())
