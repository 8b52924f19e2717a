"""``load_dataset``: one entry point for every dataset, split, seeded validation carve-out and smoke limit."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..paths import data_root
from .arrays import ImageArrays, RawSplit, balanced_split
from .cifar import read_cifar10, read_cifar100, read_stl10
from .others import folder_has_val, read_folder, read_npz, read_tinyimagenet, read_voc2012
from .root import MissingDataError
from .sample import VAL_SIZE as SAMPLE_VAL_SIZE
from .sample import read_sample, stand_in

SPLITS = ("train", "val", "test")
Reader = Callable[[Path, str, bool], RawSplit]


def _npz_path(root: str | Path | None) -> Path:
    if root is None:
        raise ValueError("the npz dataset needs root=<path to the .npz file>")
    return data_root(root)


def _folder_root(root: str | Path | None) -> Path:
    return data_root(root) if root is not None else data_root() / "folder"


@dataclass(frozen=True)
class Source:
    """How to find and read one dataset.

    ``read(where, part, download)`` returns an official part (``train``, ``val`` if ``has_val``, ``test``).
    Without an official val, ``val`` is carved from ``train``: ``default_val_size`` images (10 % unless
    set) or the caller's ``val_size``. ``sample`` reads a small stand-in used when the data is missing (see
    :mod:`colorcnn_repro.data.sample`).
    """

    read: Reader
    default_val_size: Callable[[RawSplit], int] = lambda raw: len(raw) // 10
    locate: Callable[[str | Path | None], Path] = data_root
    has_val: Callable[[Path], bool] = lambda where: False
    image_size: int | None = None
    sample: Callable[[], RawSplit] | None = None


SOURCES: dict[str, Source] = {
    "cifar10": Source(read_cifar10, lambda raw: 5000, sample=read_sample),
    "cifar100": Source(read_cifar100, lambda raw: 5000),
    "stl10": Source(read_stl10, lambda raw: 500),
    "tinyimagenet": Source(read_tinyimagenet, lambda raw: 10 * len(raw.classes)),
    "voc2012": Source(read_voc2012, has_val=lambda where: True, image_size=224),
    "folder": Source(read_folder, locate=_folder_root, has_val=folder_has_val),
    "npz": Source(read_npz, locate=_npz_path),
}


def load_dataset(
    name: str,
    split: str = "train",
    root: str | Path | None = None,
    *,
    download: bool = False,
    val_size: int | None = None,
    seed: int = 0,
    image_size: int | None = None,
    limit: int | None = None,
) -> ImageArrays:
    """Load one split of a dataset into memory.

    ``root``: the data root (see :func:`data_root`); for ``folder`` the image folder itself (default
    ``<data root>/folder``), for ``npz`` the file. ``val_size`` and ``seed`` set the class-balanced
    validation carve-out of datasets without an official val split (ignored otherwise); ``train`` is the
    rest. ``image_size`` resizes to a square (VOC defaults to 224). ``limit`` keeps a seeded,
    class-balanced subset of that many images. ``download`` lets torchvision fetch missing archives.

    CIFAR-10 ``train``/``val`` requests with a ``limit`` that the shipped sample can serve fall back to it,
    with a :class:`~colorcnn_repro.data.sample.SampleDataWarning`, when no data root holds CIFAR-10 (its
    ``val`` is a fixed 100 images; ``val_size`` does not apply to it).
    """
    if name not in SOURCES:
        raise ValueError(f"unknown dataset {name!r}; accepted: {', '.join(SOURCES)}")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; accepted: {', '.join(SPLITS)}")
    source = SOURCES[name]
    where = source.locate(root)
    official = split == "test" or source.has_val(where)
    try:
        raw, missing = source.read(where, split if official else "train", download), None
    except MissingDataError as error:
        if source.sample is None or official:
            raise
        raw, missing = source.sample(), error
    if official:
        indices = np.arange(len(raw))
    else:
        if missing is not None:
            size = SAMPLE_VAL_SIZE
        elif val_size is None:
            size = source.default_val_size(raw)
        else:
            size = val_size
        train, val = balanced_split(raw.labels, size, seed)
        indices = val if split == "val" else train
    if missing is not None:
        stand_in(missing, where, split, len(indices), limit)
    if limit is not None and limit < len(indices):
        indices = indices[balanced_split(raw.labels[indices], limit, seed)[1]]
    return raw.materialize(indices, image_size or source.image_size, name, split)
