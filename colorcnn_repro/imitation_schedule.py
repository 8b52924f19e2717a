"""The imitation-schedule study (not in the paper's text): how ColorCNN+'s weight on L_RP should depend on C.

The paper's Eq. 13 weighs L_RP by one constant λ = 3. The authors' code did not (``docs/paper-vs-code.md``): from
2021-06 to 2023-04, the period of the arXiv numbers, L_RP was off at C ≤ 8 (``gate``); since 2023-05 it is
weighed by λ·sigmoid(log2 C − 4) (``sigmoid``). Each schedule (:data:`SCHEDULES`) is one compute-curve run of
ColorCNN+ on the profile's recipe (``colorcnn curve --set colorcnn_plus.rp_schedule=…``), evaluated at every
cycle end at 1–6 bits against MedianCut and k-means on the validation images, with McNemar p.

The rule that picks the winner, fixed before the runs and applied to validation images only
(:func:`winner`): among the schedules whose ColorCNN+ is within 3 points of MedianCut at 6 bits at 15 epochs
(lead > −3), the one with the larger smaller-of-the-1-and-2-bit leads over MedianCut at 15 epochs. The winner
goes on to 31 epochs; then one more rung on it, the entropy regularisers averaged over the colours as the
authors' code does (``colorcnn_plus.entropy_reduction=mean``), to 15 epochs.

A McNemar test says two models differ on these images, not that their recipes do. So ``constant``, the winner
and λ = 0 are each trained with three seeds to 7 epochs (:data:`SEEDS`), and a claim that one recipe beats
another is judged against the spread of those seeds.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The schedules compared, as the overrides of the compute curve's run (the profile's recipe otherwise).
SCHEDULES: dict[str, dict[str, Any]] = {"constant": {}, "gate": {"colorcnn_plus.rp_schedule": "gate"},
                                        "sigmoid": {"colorcnn_plus.rp_schedule": "sigmoid"}}
#: The recipe without imitation (λ = 0).
NO_IMITATION: dict[str, Any] = {"colorcnn_plus.lam": 0}
#: The two readings of the paper's ColorCNN+ claims that the scorecard judges, each by the longest ColorCNN+ of
#: its schedule evaluated beside every classical method: reading → schedule.
READINGS = {"paper's text (constant λ = 3)": "constant", "authors' code (L_RP off at C ≤ 8)": "gate"}
#: The scorecard asks for a reading's evaluation as the stage ``reading:<schedule>``.
READING_PREFIX = "reading:"
#: The ColorCNN+ variants of the recipe shown beside it (notebooks 02–04), by display name: the authors' two
#: schedules and no imitation at all.
VARIANTS: dict[str, dict[str, Any]] = {**{f"L_RP {name}": ov for name, ov in SCHEDULES.items() if ov},
                                       "λ = 0": NO_IMITATION}
#: The cycle end the winner is chosen at, the 6-bit tolerance against MedianCut (points), the sizes (bits)
#: whose smaller lead decides.
CHOOSE_AT, SIX_BIT_TOLERANCE, DECIDING_BITS = 15, 3.0, (1, 2)
#: The seeds of the recipe-noise runs (seed 0 is the curve's own run), and their length in epochs.
SEEDS, SEED_EPOCHS = (0, 1, 2), 7
#: The recipes seeded: the paper's constant λ, no imitation, and the schedules (the study seeds the winner).
SEED_RECIPES: dict[str, dict[str, Any]] = {**SCHEDULES, "λ = 0": NO_IMITATION}


def seed_overrides(recipe: dict[str, Any], seed: int) -> dict[str, Any]:
    """The curve overrides of ``recipe`` with ColorCNN+'s seed (seed 0: the recipe's own run, as it is)."""
    return {**recipe, "colorcnn_plus.seed": seed} if seed else dict(recipe)


def winner(leads: Mapping[str, Mapping[int, float]]) -> str | None:
    """The winning schedule by the module's rule, from each schedule's lead over MedianCut (points) by bits at
    :data:`CHOOSE_AT` epochs; None when no schedule is within :data:`SIX_BIT_TOLERANCE` at 6 bits."""
    eligible = {name: by_bits for name, by_bits in leads.items() if by_bits[6] > -SIX_BIT_TOLERANCE}
    if not eligible:
        return None
    return max(eligible, key=lambda name: min(eligible[name][b] for b in DECIDING_BITS))
