"""Progress bars: tqdm's automatic choice (widgets in a notebook kernel, text elsewhere), switched off by
``$TQDM_DISABLE`` in both. tqdm's notebook bar turns ``disable=None`` into ``False``, which overrides the
environment, so a kernel with ``TQDM_DISABLE=1`` would still send every widget update; ``make check`` sets it
because nbval waits only 5 s for each output message."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from tqdm.auto import tqdm

#: Values of ``$TQDM_DISABLE`` that leave progress bars on.
_ON = {"", "0", "false", "no", "off"}


def disabled_by_environment() -> bool:
    """True when ``$TQDM_DISABLE`` is set to anything but an empty string, 0, false, no or off."""
    return os.environ.get("TQDM_DISABLE", "").strip().lower() not in _ON


def bar(iterable: Iterable | None = None, *, show: bool = True, **kwargs: Any) -> tqdm:
    """A tqdm bar over ``iterable`` (or ``total=``), hidden when ``show`` is false or by ``$TQDM_DISABLE``."""
    return tqdm(iterable, disable=not show or disabled_by_environment(), **kwargs)


write = tqdm.write
