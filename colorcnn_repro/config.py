"""Run configurations: a frozen dataclass per stage, and the experiment (:class:`ExperimentConfig`) that holds them.

A config's :func:`config_key` names its run directory, zoo entry and results file. Any field can be overridden
(``overrides`` dicts, ``--set key=value`` on the command line, papermill); the named profiles are in
:mod:`colorcnn_repro.profiles`. Ground floor: imports nothing from the package.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

TASK_COLORS = (2, 4, 8, 16, 32, 64)


@dataclass(frozen=True)
class DataConfig:
    dataset: str = "cifar10"
    limit_train: int | None = None  # class-balanced subset of the training split (smoke)
    seed: int = 0


OPTIMIZERS = ("sgd", "adam")
SCHEDULES = ("onecycle", "warm_restarts", "warm_restarts_doubling")


@dataclass(frozen=True)
class OptimConfig:
    """Optimiser and learning-rate schedule of one stage (Sec. 4.1). ``schedule``: ``onecycle`` (peak ``lr``)
    or ``warm_restarts`` (cosine from ``lr`` to 0, restarted every ``restart_epochs``), or
    ``warm_restarts_doubling`` (the same, each cycle twice as long as the one before: cycles end at
    ``restart_epochs`` × 1, 3, 7, 15, …), stepped per batch."""

    name: str = "sgd"
    lr: float = 0.01
    momentum: float = 0.9  # SGD momentum; Adam's β1
    weight_decay: float = 5e-4
    nesterov: bool = False
    schedule: str = "warm_restarts"
    restart_epochs: int = 20
    bf16_autocast: bool = False  # mixed precision (bf16 autocast) for the forward passes; a GPU setting


@dataclass(frozen=True)
class ClassifierConfig:
    data: DataConfig = field(default_factory=DataConfig)
    classifier: str = "alexnet"
    epochs: int = 60
    batch_size: int = 128
    optim: OptimConfig = field(default_factory=lambda: OptimConfig(lr=0.1, schedule="onecycle"))
    seed: int = 0


@dataclass(frozen=True)
class QuantizerConfig:
    """What both learned quantizers share (Sec. 4.1): the frozen classifier they train against, backbone,
    optimiser and the loss weights common to Eq. 1 and 16."""

    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)
    backbone: str = "unet"
    width: int = 64
    epochs: int = 60
    batch_size: int = 128
    optim: OptimConfig = field(default_factory=OptimConfig)
    temperature: float = 1.0  # logits ÷ T before the softmax (the authors' choice: 1)
    gamma: float = 1.0  # R_color weight (Eq. 1)
    xi: float = 1.0  # colour jitter weight
    color_norm: float = 4.0  # train-time quantized image normalized by color_norm × std (Sec. 4.1)
    kd: bool = False
    train_fraction: float = 1.0  # fraction of the training split seen per epoch
    seed: int = 0


@dataclass(frozen=True)
class ColorCNNConfig(QuantizerConfig):
    """ColorCNN (Sec. 3.2–3.3, 4.1). ``colors`` is set per model."""

    colors: int = 2
    gamma_log2c: bool = False  # authors' ColorCNN code: R_color weight γ·log2 C


@dataclass(frozen=True)
class ColorCNNPlusConfig(QuantizerConfig):
    """ColorCNN+ (Sec. 3.4–3.6, 4.1); ``temperature`` divides the pooled logits (Eq. 8) before the top-K
    softmax."""

    bottleneck: int = 16
    depth: int = 256
    topk: int = 4
    epochs: int = 300
    lam: float = 3.0  # relationship-preserving loss weight λ
    alpha: float = 1.0  # R_info
    beta: float = 1.0  # R_conf
    color_norm: float = 1.0
    rp_fraction: float = 0.3  # N = 0.3·H·W
    rp_schedule: str = "constant"  # how the weight of L_RP depends on C: RP_SCHEDULES
    entropy_reduction: str = "sum"  # R_info and R_conf over the colour axis: ENTROPY_REDUCTIONS
    task_colors: tuple[int, ...] = TASK_COLORS
    task_every: int = 20  # batches per task; 0 = once per epoch
    post_augment: bool = True  # crop, rotation, erasing, flip after quantization


#: How ColorCNN+'s weight on L_RP depends on C (:func:`colorcnn_repro.losses.rp_weight`): ``constant`` λ (the
#: paper's Eq. 13); ``gate``, 0 at C ≤ 8 and λ above (the authors' code of 2021-06 to 2023-04); ``sigmoid``,
#: λ·sigmoid(log2 C − 4) (their code since 2023-05).
RP_SCHEDULES = ("constant", "gate", "sigmoid")
#: How R_info and R_conf reduce over the colour axis: ``sum`` (the paper's Eq. 14–15) or ``mean`` (the authors'
#: code, i.e. α and β at 1/C of the paper's).
ENTROPY_REDUCTIONS = ("sum", "mean")

#: The settings that take one of a few names, checked when set.
CHOICES = {"rp_schedule": RP_SCHEDULES, "entropy_reduction": ENTROPY_REDUCTIONS, "schedule": SCHEDULES}

#: The colour counts a ColorCNN is trained for (``colorcnn train-colorcnn --colors``): C = 2**bits, 1–8 bits.
TRAINABLE_COLORS = tuple(2**b for b in range(1, 9))
@dataclass(frozen=True)
class ExperimentConfig:
    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)
    colorcnn: ColorCNNConfig = field(default_factory=ColorCNNConfig)
    colorcnn_plus: ColorCNNPlusConfig = field(default_factory=ColorCNNPlusConfig)
    methods: tuple[str, ...] = ("mediancut", "octree", "dither", "kmeans", "libimagequant", "colorcnn", "colorcnn+")
    bits: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
    jpeg_qualities: tuple[int, ...] = (1, 5, 10, 20, 30, 50, 75, 90)
    split: str = "val"
    limit: int | None = None  # class-balanced subset of the evaluation split
    batch_size: int = 250


#: A stage's config (:func:`colorcnn_repro.profiles.get_config`): what names a run, a zoo entry, a results file.
StageConfig = ClassifierConfig | ColorCNNConfig | ColorCNNPlusConfig | ExperimentConfig


def with_overrides(exp: ExperimentConfig, overrides: dict[str, Any] | None) -> ExperimentConfig:
    for key, value in (overrides or {}).items():
        exp = apply_override(exp, key, value)
    return exp


def apply_override(cfg: Any, key: str, value: Any, given: str | None = None) -> Any:
    """Set a (dotted) field; an undotted key also reaches nested configs that have that field. The value is
    checked against the field's type (and :data:`CHOICES`); errors name the key as ``given``."""
    given = given or key
    head, _, rest = key.partition(".")
    names = {f.name for f in fields(cfg)}
    if rest:
        if head not in names or not dataclasses.is_dataclass(getattr(cfg, head)):
            raise ValueError(f"unknown config section {head!r} in {given!r}; sections: {_sections(cfg)}")
        return replace(cfg, **{head: apply_override(getattr(cfg, head), rest, value, given)})
    found = False
    updates = {}
    if key in names and not dataclasses.is_dataclass(getattr(cfg, key)):
        updates[key] = _coerce(getattr(cfg, key), value, given)
        hint = typing.get_type_hints(type(cfg))[key]
        if not _fits(updates[key], hint):
            raise ValueError(f"setting {given!r} needs {_type_name(hint)}, got {value!r}")
        if key in CHOICES and updates[key] not in CHOICES[key]:
            raise ValueError(f"setting {given!r} = {updates[key]!r} is not one of {', '.join(CHOICES[key])}")
        found = True
    for f in fields(cfg):
        sub = getattr(cfg, f.name)
        if dataclasses.is_dataclass(sub) and key in _all_fields(sub):
            updates[f.name] = apply_override(sub, key, value, given)
            found = True
    if not found:
        raise ValueError(f"unknown setting {key!r} for {type(cfg).__name__}; "
                         f"accepted: {', '.join(sorted(_all_fields(cfg)))}")
    return replace(cfg, **updates)


def _all_fields(cfg) -> set[str]:
    out = set()
    for f in fields(cfg):
        out.add(f.name)
        if dataclasses.is_dataclass(getattr(cfg, f.name)):
            out |= _all_fields(getattr(cfg, f.name))
    return out


def _sections(cfg) -> str:
    return ", ".join(f.name for f in fields(cfg) if dataclasses.is_dataclass(getattr(cfg, f.name)))


def _fits(value: Any, hint: Any) -> bool:
    """Whether ``value`` is of the field type ``hint`` (int, float, bool, str, ``X | None``, ``tuple[X, ...]``);
    an int fits a float, a bool fits neither."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return any(_fits(value, a) for a in args)
    if typing.get_origin(hint) is tuple:
        return isinstance(value, tuple) and all(_fits(v, args[0]) for v in value)
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint in (int, float):
        return isinstance(value, int if hint is int else (int, float)) and not isinstance(value, bool)
    return isinstance(value, hint)


def _type_name(hint: Any) -> str:
    """``int``, ``int or None``, ``a tuple of int``: a field type as an error message says it."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(hint))
    if typing.get_origin(hint) is tuple:
        return f"a tuple of {_type_name(typing.get_args(hint)[0])}"
    return "None" if hint is type(None) else hint.__name__


def _coerce(current: Any, value: Any, key: str) -> Any:
    """Parse command-line strings (JSON values) and match the type of the current value, so that equal
    settings give equal config keys (``gamma=1`` is stored as ``1.0``)."""
    parsed = value
    if isinstance(value, str) and not isinstance(current, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = value
    if isinstance(current, tuple):
        return tuple(parsed) if isinstance(parsed, (list, tuple)) else (parsed,)
    if isinstance(current, bool):
        if not isinstance(parsed, bool):
            raise ValueError(f"setting {key!r} needs true/false, got {value!r}")
        return parsed
    if isinstance(current, float) and isinstance(parsed, int) and not isinstance(parsed, bool):
        return float(parsed)
    if isinstance(current, int) and isinstance(parsed, float):
        raise ValueError(f"setting {key!r} needs an integer, got {value!r}")
    return parsed


def config_dict(cfg: Any) -> dict[str, Any]:
    """Any config dataclass (a stage's, a study's) as a plain dict."""
    return dataclasses.asdict(cfg)


#: Fields that joined a config after runs were keyed by it, each with the entries it stands for in the key
#: (:func:`keyed_form`): a value every earlier run had keys as those runs did, so no committed key changes.
#: ``rp_schedule`` replaced the flag ``rp_scale_by_colors`` (true meant ``sigmoid``).
KEYED_FORMS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "rp_schedule": lambda v: {"rp_scale_by_colors": v == "sigmoid"} if v in ("constant", "sigmoid")
    else {"rp_schedule": v},
    "entropy_reduction": lambda v: {} if v == "sum" else {"entropy_reduction": v},
}


def keyed_form(config: dict[str, Any]) -> dict[str, Any]:
    """A config dict (:func:`config_dict`, or as JSON stores it) as its key hashes it: the fields of
    :data:`KEYED_FORMS` in their keyed entries, at every level."""
    out: dict[str, Any] = {}
    for name, value in config.items():
        if name in KEYED_FORMS:
            out.update(KEYED_FORMS[name](value))
        else:
            out[name] = keyed_form(value) if isinstance(value, dict) else value
    return out


def dict_key(config: dict[str, Any]) -> str:
    """:func:`config_key` of the config that ``config`` (a dict, as JSON stores it) was written from."""
    blob = json.dumps(keyed_form(config), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:10]


def config_key(cfg: Any) -> str:
    """Short stable hash of a config: names run directories and zoo entries."""
    return dict_key(config_dict(cfg))
