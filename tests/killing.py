"""A training process killed mid-run, for the resume tests (single process and DDP)."""
from __future__ import annotations

from colorcnn_repro.training import runs


class Killed(Exception):
    pass


class DiesAtEpoch:
    """A stand-in for ``runs.run_epoch`` that raises :class:`Killed` when its ``n``-th call starts (after the
    previous epoch's checkpoint was written, as a killed process would); ``calls`` counts the calls."""

    def __init__(self, n: int) -> None:
        self.n, self.calls = n, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.n:
            raise Killed
        return runs.run_epoch(*args, **kwargs)
