"""Where things live: the repository, the shipped zoo, datasets, runs, caches, results and figures.

Each location is defined here once; an environment variable moves it (``COLORCNN_DATA``, ``COLORCNN_RUNS``,
``COLORCNN_CACHE``, ``COLORCNN_FIGURES``, ``COLORCNN_RESULTS``, ``COLORCNN_CHECKPOINTS``,
``COLORCNN_ZOO``). Ground floor: imports nothing from the package.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
DATA_ENV = "COLORCNN_DATA"
DATA_README = REPO_ROOT / "data" / "README.md"
#: A data root argument: a folder, or None for :func:`data_root`'s default.
DataRoot = str | Path | None


def _env_path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser().absolute() if value else default


def data_root(root: DataRoot = None) -> Path:
    """The data root: ``root`` if given, else ``$COLORCNN_DATA``, else ``<repository root>/data``."""
    if root is not None:
        return Path(root).expanduser().absolute()
    return _env_path(DATA_ENV, REPO_ROOT / "data")


def zoo_root() -> Path:
    """The shipped model zoo: ``$COLORCNN_ZOO`` or the package's ``zoo/`` folder."""
    return _env_path("COLORCNN_ZOO", PACKAGE_DIR / "zoo")


def runs_root() -> Path:
    """Where training runs live: ``$COLORCNN_RUNS`` or ``<repo>/runs``."""
    return _env_path("COLORCNN_RUNS", REPO_ROOT / "runs")


def checkpoints_root(profile: str) -> Path:
    """Resumable states of a profile's runs longer than a session, kept at each cycle end:
    ``$COLORCNN_CHECKPOINTS/<profile>``, default ``<repo>/checkpoints/<profile>`` (git tracks every profile's but
    ``smoke``'s, which CI and the tests write)."""
    return _env_path("COLORCNN_CHECKPOINTS", REPO_ROOT / "checkpoints") / profile


def cache_root() -> Path:
    """Derived data (imitation targets, JPEG references): ``$COLORCNN_CACHE`` or ``<repo>/.cache``."""
    return _env_path("COLORCNN_CACHE", REPO_ROOT / ".cache")


def results_root(profile: str) -> Path:
    """Results JSON of a profile: ``$COLORCNN_RESULTS/<profile>``, default ``<repo>/results/<profile>``."""
    return _env_path("COLORCNN_RESULTS", REPO_ROOT / "results") / profile


def figures_root() -> Path:
    """Figures: ``$COLORCNN_FIGURES`` or ``<repo>/figures``."""
    return _env_path("COLORCNN_FIGURES", REPO_ROOT / "figures")
