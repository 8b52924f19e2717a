"""The ``colorcnn`` command line that trains a given config: what an error about a missing model tells its reader
to run (:func:`how_to_train`)."""
from __future__ import annotations

import json
import shlex
from typing import Any

from ..config import TRAINABLE_COLORS, QuantizerConfig, StageConfig, config_dict, config_key
from ..methods import per_color, section, train_verb
from ..profiles import PROFILES, get_config
from ..store import MissingModelError


def _flat(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested config dict as ``{dotted key: value}``."""
    out: dict[str, Any] = {}
    for k, v in config.items():
        out.update(_flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v})
    return out


def _set_key(stage: str, field: str) -> str:
    """The experiment's ``--set`` key of ``field`` (dotted) of a ``stage`` config: the dataset as the plain
    ``dataset``, a quantizer's classifier fields as the experiment's ``classifier.…`` (it trains against it)."""
    if field in ("data.dataset", "classifier.data.dataset"):
        return "dataset"
    if stage != "classifier" and field.startswith("classifier."):
        return field
    return f"{section(stage)}.{field}"


def _set_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def train_command(stage: str, cfg: StageConfig | QuantizerConfig) -> str | None:
    """The ``colorcnn`` command line that trains ``cfg``: the ``--profile`` closest to it and a ``--set`` for each
    field that differs (``--colors`` for a ColorCNN's colour count), checked to give ``cfg``; None when no command
    line does (a ColorCNN for a C other than :data:`TRAINABLE_COLORS`)."""
    want, key = _flat(config_dict(cfg)), config_key(cfg)
    colors = want.pop("colors") if per_color(stage) else None
    if colors is not None and colors not in TRAINABLE_COLORS:
        return None
    given = {"colors": colors} if colors is not None else {}
    best: tuple[str, dict[str, Any]] | None = None
    for profile in PROFILES:
        base = _flat(config_dict(get_config(stage, profile, given)))
        sets = {_set_key(stage, k): v for k, v in sorted(want.items()) if base.get(k) != v}
        try:
            gives = config_key(get_config(stage, profile, {**sets, **given})) == key
        except ValueError:  # a value --set cannot express
            continue
        if gives and (best is None or len(sets) < len(best[1])):
            best = profile, sets
    if best is None:
        return None
    profile, sets = best
    bits = f" --colors {colors}" if colors is not None else ""
    options = "".join(f" --set {shlex.quote(f'{k}={_set_value(v)}')}" for k, v in sets.items())
    return f"colorcnn {train_verb(stage)} --profile {profile}{bits}{options}"


def how_to_train(stage: str, cfg: StageConfig | QuantizerConfig) -> str:
    """:func:`train_command` in backquotes, else the Python call that trains ``cfg``."""
    command = train_command(stage, cfg)
    return (f"`{command}`" if command else
            f"`colorcnn_repro.training.TRAINERS[{stage!r}](cfg)` (no `colorcnn` command line gives this config)")


def with_hint(err: MissingModelError) -> str:
    """The message of ``err`` with how to train its model, unless it says so already."""
    return str(err) if err.hinted else f"{err} with {how_to_train(err.stage, err.cfg)}"
