"""Run configurations and the named profiles ``smoke`` (CI), ``cpu`` (2-core reproduction) and ``paper``.

A config is a frozen dataclass per stage; its :func:`config_key` names the run directory and zoo entry.
Any field can be overridden (``overrides`` dicts, ``--set key=value`` on the command line, papermill).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field, fields, replace
from typing import Any

TASK_COLORS = (2, 4, 8, 16, 32, 64)


@dataclass(frozen=True)
class DataConfig:
    dataset: str = "cifar10"
    limit_train: int | None = None  # class-balanced subset of the training split (smoke)
    seed: int = 0


@dataclass(frozen=True)
class ClassifierConfig:
    data: DataConfig = field(default_factory=DataConfig)
    classifier: str = "alexnet"
    epochs: int = 60
    batch_size: int = 128
    lr: float = 0.1  # one-cycle peak (Sec. 4.1)
    momentum: float = 0.9
    weight_decay: float = 5e-4
    nesterov: bool = False
    seed: int = 0


@dataclass(frozen=True)
class ColorCNNConfig:
    """ColorCNN (Sec. 3.2–3.3, 4.1). ``colors`` is set per model."""

    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)
    colors: int = 2
    backbone: str = "unet"
    width: int = 64
    epochs: int = 60
    batch_size: int = 128
    lr: float = 0.01  # cosine warm restarts peak
    restart_epochs: int = 20
    momentum: float = 0.9
    weight_decay: float = 5e-4
    gamma: float = 1.0  # R_color weight (Eq. 1)
    xi: float = 1.0  # colour jitter weight
    color_norm: float = 4.0  # train-time quantized image normalized by color_norm × std (Sec. 4.1)
    kd: bool = False
    train_fraction: float = 1.0  # fraction of the training split seen per epoch
    seed: int = 0


@dataclass(frozen=True)
class ColorCNNPlusConfig:
    """ColorCNN+ (Sec. 3.4–3.6, 4.1)."""

    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)
    backbone: str = "unet"
    width: int = 64
    bottleneck: int = 16
    depth: int = 256
    topk: int = 4
    epochs: int = 300
    batch_size: int = 128
    lr: float = 0.01
    restart_epochs: int = 20
    momentum: float = 0.9
    weight_decay: float = 5e-4
    lam: float = 3.0  # relationship-preserving loss weight λ
    gamma: float = 1.0
    alpha: float = 1.0  # R_info
    beta: float = 1.0  # R_conf
    xi: float = 1.0
    color_norm: float = 1.0
    rp_fraction: float = 0.3  # N = 0.3·H·W
    rp_scale_by_colors: bool = False  # authors' code: λ·sigmoid(log2 C − 4)
    task_colors: tuple[int, ...] = TASK_COLORS
    task_every: int = 20  # batches per task; 0 = once per epoch
    post_augment: bool = True  # crop, rotation, erasing, flip after quantization
    kd: bool = False
    train_fraction: float = 1.0
    seed: int = 0


@dataclass(frozen=True)
class EvalConfig:
    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)
    colorcnn: ColorCNNConfig = field(default_factory=ColorCNNConfig)
    colorcnn_plus: ColorCNNPlusConfig = field(default_factory=ColorCNNPlusConfig)
    methods: tuple[str, ...] = ("mediancut", "octree", "dither", "kmeans", "libimagequant", "colorcnn", "colorcnn+")
    bits: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
    jpeg_qualities: tuple[int, ...] = (1, 5, 10, 20, 30, 50, 75, 90)
    split: str = "val"
    limit: int | None = None  # class-balanced subset of the evaluation split
    batch_size: int = 250


def _paper() -> EvalConfig:
    return EvalConfig()


def _cpu() -> EvalConfig:
    """2 cores, ~2 hours: the paper's AlexNet, a width-16 U-Net, few epochs (see README for why)."""
    clf = ClassifierConfig(epochs=8, nesterov=True)
    cc = ColorCNNConfig(width=16, epochs=1, restart_epochs=1, xi=0.1, color_norm=1.0, train_fraction=0.22)
    plus = ColorCNNPlusConfig(width=16, epochs=2, restart_epochs=2, xi=0.1)
    return EvalConfig(clf, cc, plus)


def _smoke() -> EvalConfig:
    """A few hundred images, tiny widths, one epoch: the whole pipeline in minutes."""
    clf = ClassifierConfig(data=DataConfig(limit_train=256), epochs=1, batch_size=64)
    cc = ColorCNNConfig(width=4, epochs=1, batch_size=64, restart_epochs=1, xi=0.1, color_norm=1.0)
    plus = ColorCNNPlusConfig(width=4, epochs=1, batch_size=64, restart_epochs=1, task_every=2, xi=0.1)
    return EvalConfig(clf, cc, plus, jpeg_qualities=(10, 50, 90), limit=100, batch_size=100)


PROFILES = {"smoke": _smoke, "cpu": _cpu, "paper": _paper}

#: Per-dataset settings a profile applies before the caller's overrides. ``cpu`` on Tiny-ImageNet is sized
#: for the 20-class subset on these machines (9,800 training images of 64×64, a fifth of CIFAR-10's count at
#: four times the pixels): about 1.5 hours here buy the classifier 24 epochs, each ColorCNN half the
#: split and ColorCNN+ 4 epochs; it is evaluated on the official val folder (``test``, 50 images per class),
#: since the carved-out validation split holds only 10 per class.
DATASET_DEFAULTS: dict[tuple[str, str], dict[str, Any]] = {
    ("cpu", "tinyimagenet"): {"split": "test", "classifier.epochs": 24, "colorcnn.train_fraction": 0.5,
                              "colorcnn_plus.epochs": 4, "colorcnn_plus.restart_epochs": 4},
}
STAGES = ("classifier", "colorcnn", "colorcnn+", "evaluate")


def get_config(stage: str, profile: str = "cpu", overrides: dict[str, Any] | None = None):
    """The ``stage`` config of ``profile``'s experiment with ``overrides`` applied.

    Overrides address the experiment (:class:`EvalConfig`): dotted keys reach one section
    (``classifier.epochs``, ``colorcnn.width``, ``colorcnn_plus.lam``); a plain key is applied wherever
    the field exists. The experiment's classifier is the one every quantizer is trained against.
    :data:`DATASET_DEFAULTS` for the profile and the chosen dataset come first, the overrides win.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; accepted: {', '.join(PROFILES)}")
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; accepted: {', '.join(STAGES)}")
    exp = _with_overrides(PROFILES[profile](), overrides)
    defaults = DATASET_DEFAULTS.get((profile, exp.classifier.data.dataset))
    if defaults:
        exp = _with_overrides(_with_overrides(PROFILES[profile](), defaults), overrides)
    exp = replace(exp, colorcnn=replace(exp.colorcnn, classifier=exp.classifier),
                  colorcnn_plus=replace(exp.colorcnn_plus, classifier=exp.classifier))
    return {"classifier": exp.classifier, "colorcnn": exp.colorcnn, "colorcnn+": exp.colorcnn_plus,
            "evaluate": exp}[stage]


def _with_overrides(exp: EvalConfig, overrides: dict[str, Any] | None) -> EvalConfig:
    for key, value in (overrides or {}).items():
        exp = apply_override(exp, key, value)
    return exp


def apply_override(cfg, key: str, value: Any):
    """Set a (dotted) field; an undotted key also reaches nested configs that have that field."""
    head, _, rest = key.partition(".")
    names = {f.name for f in fields(cfg)}
    if rest:
        if head not in names or not dataclasses.is_dataclass(getattr(cfg, head)):
            raise ValueError(f"unknown config section {head!r} in {key!r}; sections: {_sections(cfg)}")
        return replace(cfg, **{head: apply_override(getattr(cfg, head), rest, value)})
    found = False
    updates = {}
    if key in names and not dataclasses.is_dataclass(getattr(cfg, key)):
        updates[key] = _coerce(getattr(cfg, key), value, key)
        found = True
    for f in fields(cfg):
        sub = getattr(cfg, f.name)
        if dataclasses.is_dataclass(sub) and key in _all_fields(sub):
            updates[f.name] = apply_override(sub, key, value)
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


def config_dict(cfg) -> dict[str, Any]:
    return dataclasses.asdict(cfg)


def config_key(cfg) -> str:
    """Short stable hash of a config: names run directories and zoo entries."""
    blob = json.dumps(config_dict(cfg), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:10]
