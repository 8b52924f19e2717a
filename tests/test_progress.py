"""Progress bars honour $TQDM_DISABLE, also as tqdm's notebook widget (which turns disable=None into False)."""

import pytest
from tqdm.notebook import tqdm as notebook_tqdm

from colorcnn_repro import progress


@pytest.mark.parametrize("value, off", [("1", True), ("true", True), ("yes", True), ("", False), ("0", False),
                                        ("False", False), ("off", False)])
def test_environment_switch(monkeypatch, value, off):
    monkeypatch.setenv("TQDM_DISABLE", value)
    assert progress.disabled_by_environment() is off


def test_notebook_bar_is_disabled_by_environment(monkeypatch):
    monkeypatch.setattr(progress, "tqdm", notebook_tqdm)  # what tqdm.auto picks inside a Jupyter kernel
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert progress.bar(range(3)).disable
    monkeypatch.delenv("TQDM_DISABLE")
    assert progress.bar(range(3), show=False).disable
