"""The learned quantization methods, one spec each: everything the package asks of a learned method by its name.

ColorCNN trains one network per colour count C; ColorCNN+ one network that serves every C. That split, the
experiment-config section a method's training config is read from and the name of its runs and zoo files are
decided here and nowhere else. A method is three entries under one name: its spec in :data:`LEARNED`, its network
class in :data:`colorcnn_repro.models.colorcnn.QUANTIZER_NETS` and its trainer in
:data:`colorcnn_repro.training.TRAINERS` (``tests/test_toy_method.py`` adds one from a test file alone).
Ground floor: imports only the configs, and no torch.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, overload

from .config import ExperimentConfig, QuantizerConfig

#: The stage that every learned method trains against; its config section has its name.
CLASSIFIER = "classifier"

@dataclass(frozen=True)
class LearnedMethod:
    """A learned method: its ``name`` (in configs, results and on the command line), ``title`` (in tables), the
    experiment-config ``section`` its training config is read from (the prefix of its ``--set`` keys), the
    ``slug`` that names its runs and zoo files (``<slug>-<config key>``), and whether it trains one network
    per colour count (``per_color``: the network serving C is trained with ``colors = C``) or one for every C."""

    name: str
    title: str
    section: str
    slug: str
    per_color: bool

    @overload
    def at_colors(self, cfg: QuantizerConfig, colors: int) -> QuantizerConfig: ...
    @overload
    def at_colors(self, cfg: Mapping[str, Any], colors: int) -> Mapping[str, Any]: ...
    def at_colors(self, cfg: QuantizerConfig | Mapping[str, Any], colors: int) -> QuantizerConfig | Mapping[str, Any]:
        """The training config (a config, or its dict as JSON stores it) of the network that serves C =
        ``colors``: its own for a per-C method, else ``cfg`` itself."""
        if not self.per_color:
            return cfg
        return {**cfg, "colors": colors} if isinstance(cfg, Mapping) else replace(cfg, colors=colors)  # type: ignore[call-arg]

    def configs(self, exp: ExperimentConfig, bits: Iterable[int]) -> dict[int, QuantizerConfig]:
        """``{C: training config}`` of the networks that serve C = 2**bits in ``exp``."""
        return {2**b: self.at_colors(getattr(exp, self.section), 2**b) for b in bits}

    def colors_of(self, config: Mapping[str, Any]) -> int | None:
        """The colour count a trained config (a dict) is for: a per-C method's C, else None."""
        return config["colors"] if self.per_color else None


#: The learned methods by name, in the order tables and figures list them.
LEARNED: dict[str, LearnedMethod] = {
    "colorcnn": LearnedMethod("colorcnn", "ColorCNN", "colorcnn", "colorcnn", per_color=True),
    "colorcnn+": LearnedMethod("colorcnn+", "ColorCNN+", "colorcnn_plus", "colorcnn_plus", per_color=False),
}


def learned(name: str) -> LearnedMethod:
    """The spec of the learned method ``name``; ValueError listing the learned methods otherwise."""
    if name not in LEARNED:
        raise ValueError(f"unknown learned method {name!r}; accepted: {', '.join(LEARNED)}")
    return LEARNED[name]


def stages() -> tuple[str, ...]:
    """The trained stages: the classifier, then every learned method."""
    return (CLASSIFIER, *LEARNED)


def section(stage: str) -> str:
    """The experiment-config section that holds ``stage``'s config (the prefix of its override keys)."""
    return CLASSIFIER if stage == CLASSIFIER else learned(stage).section


def slug(stage: str) -> str:
    """What names ``stage``'s runs and zoo files: ``<slug>-<config key>``."""
    return CLASSIFIER if stage == CLASSIFIER else learned(stage).slug


def per_color(stage: str) -> bool:
    """Whether ``stage`` trains one network per colour count (the classifier does not)."""
    return stage != CLASSIFIER and learned(stage).per_color


def train_verb(stage: str) -> str:
    """The ``colorcnn`` subcommand that trains ``stage``: ``train-classifier``, ``train-colorcnn-plus``, …"""
    return "train-" + slug(stage).replace("_", "-")


def epochs_key(method: str) -> str:
    """The override key of a learned method's training epochs, e.g. ``"colorcnn_plus.epochs"``."""
    return f"{section(method)}.epochs"
