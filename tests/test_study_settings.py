"""The study settings' rules, on hand-made cases."""
from __future__ import annotations

import pytest

from colorcnn_repro.study_settings import c4_goes_on


@pytest.mark.parametrize(("lead", "p", "goes_on"), [
    (1.0, 0.009, True),  # exactly the minimum lead
    (0.99, 1e-6, False),  # not rounded up
    (2.5, 0.01, False),  # p must be below 0.01
    (-3.0, 1e-9, False),  # significantly behind
])
def test_a_c4_variant_goes_on_only_past_both_bars(lead: float, p: float, goes_on: bool) -> None:
    assert c4_goes_on(lead, p) is goes_on
