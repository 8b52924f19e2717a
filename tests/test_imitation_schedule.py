"""The imitation-schedule study's winner rule, on hand-set leads."""
from __future__ import annotations

from colorcnn_repro.imitation_schedule import winner


def test_winner_takes_the_larger_smaller_small_size_lead_within_the_six_bit_tolerance() -> None:
    leads = {
        "constant": {1: 1.2, 2: 1.1, 6: -2.2},  # smaller of 1 and 2 bits: 1.1
        "gate": {1: 3.0, 2: 2.5, 6: -2.9},  # 2.5, and within 3 points at 6 bits: wins
        "sigmoid": {1: 9.0, 2: 8.0, 6: -3.0},  # larger, but 3 points behind at 6 bits: out
    }
    assert winner(leads) == "gate"
    assert winner({"gate": {1: 5.0, 2: -1.0, 6: 0.0}, "constant": {1: 0.5, 2: 0.4, 6: 0.0}}) == "constant"
    assert winner({"sigmoid": {1: 9.0, 2: 8.0, 6: -3.5}}) is None
