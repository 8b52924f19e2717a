"""Every committed figure is drawn from today's results: each PNG under figures/<profile>/ records the sha256
of the files it was drawn from (colorcnn_repro.plots.SOURCES_KEY), and those files must still have them.
A figure that fails is redrawn by its notebook (`colorcnn reproduce --profile <profile> --only NN`)."""
from __future__ import annotations

import json
import subprocess

import pytest
from PIL import Image

from colorcnn_repro.paths import REPO_ROOT
from colorcnn_repro.plots import SOURCES_KEY
from colorcnn_repro.results import file_digest


def committed_figures() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files", "figures/*.png"], cwd=REPO_ROOT, capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: no committed figures to check")
    return out.split()


def test_committed_figures_are_drawn_from_the_current_results() -> None:
    stale = []
    for name in committed_figures():
        text = Image.open(REPO_ROOT / name).text
        if SOURCES_KEY not in text:
            stale.append(f"{name}: records no sources")
            continue
        for source, digest in json.loads(text[SOURCES_KEY]).items():
            path = REPO_ROOT / source
            if not path.exists():
                stale.append(f"{name}: drawn from {source}, which is gone")
            elif file_digest(path) != digest:
                stale.append(f"{name}: drawn from another version of {source}")
    assert not stale, "figures to redraw (colorcnn reproduce --profile <profile> --only NN):\n" + "\n".join(stale)
