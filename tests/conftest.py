"""Where tests find the real data: ``$COLORCNN_DATA``, else ``../shared/data`` beside the repository.

Tests that need it take a fixture below and are skipped, with the reason, when it is not there.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def real_data_root() -> Path:
    """``$COLORCNN_DATA`` if set, else ``<repo>/../shared/data`` (which may not exist)."""
    env = os.environ.get("COLORCNN_DATA")
    return Path(env).expanduser().absolute() if env else REPO.parent / "shared" / "data"


def _needs(relative: str) -> Path:
    """The real data root if it holds ``relative``; skip the test otherwise."""
    root = real_data_root()
    if not (root / relative).exists():
        pytest.skip(f"real data not found: no {relative} under {root} (set COLORCNN_DATA)")
    return root


@pytest.fixture(scope="session")
def cifar10_data() -> Path:
    """The data root holding the official CIFAR-10 training set (``cifar10/train.npz``)."""
    return _needs("cifar10/train.npz")


@pytest.fixture(scope="session")
def tinyimagenet_data() -> Path:
    """The data root holding the 20-class Tiny-ImageNet subset."""
    return _needs("tiny-imagenet-200-subset20/tiny-imagenet-200/wnids.txt")
