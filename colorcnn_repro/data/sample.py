"""The CIFAR-10 sample shipped with the package (``cifar10_sample.npz``): 50 images per class, a seeded,
class-balanced pick from the official training set, with their indices there (``source_indices``).

It stands in for CIFAR-10 when no data root holds it, for requests it can serve whole (the smoke profile's
256 training and 100 validation images), and says so with a :class:`SampleDataWarning`. Requests for a whole
split or for more images than it holds (the ``cpu`` and ``paper`` profiles) raise :class:`MissingDataError`.
Its own ``val`` is a fixed 10 images per class carved like CIFAR-10's, so ``train`` and ``val`` never overlap.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .arrays import RawSplit, balanced_split, npz_split
from .root import MissingDataError

SAMPLE_FILE = Path(__file__).with_name("cifar10_sample.npz")
PER_CLASS = 50
VAL_SIZE = 100


class SampleDataWarning(UserWarning):
    """The shipped CIFAR-10 sample stands in for a CIFAR-10 that no data root holds."""


def write_sample(train_npz: Path, out: Path = SAMPLE_FILE, per_class: int = PER_CLASS, seed: int = 0) -> Path:
    """Write the sample: ``per_class`` seeded, class-balanced images per class of an official-order
    ``train_npz`` (keys images, labels, classes), with their indices in it."""
    raw = npz_split(train_npz)
    _, chosen = balanced_split(raw.labels, per_class * len(raw.classes), seed)
    assert isinstance(raw.images, np.ndarray)  # an npz holds decoded images
    np.savez_compressed(out, images=raw.images[chosen], labels=raw.labels[chosen], classes=np.array(raw.classes),
                        source_indices=chosen)
    return out


def read_sample() -> RawSplit:
    """The shipped sample as a training split."""
    return npz_split(SAMPLE_FILE)


def stand_in(missing: MissingDataError, where: Path, split: str, available: int, limit: int | None) -> None:
    """Warn that the sample's ``available`` ``split`` images stand in for the CIFAR-10 under ``where``, or
    raise ``missing`` (saying what the sample holds) when ``limit`` asks for more, or for the whole split."""
    if limit is None or limit > available:
        asked = "a whole split" if limit is None else f"{limit} {split} images"
        raise missing.with_hint(
            f"The CIFAR-10 sample shipped with colorcnn_repro ({SAMPLE_FILE}) holds {available} {split} images, "
            f"not {asked}: it stands in only for small requests such as the smoke profile's."
        ) from None
    warnings.warn(
        f"CIFAR-10 not found under {where} (neither cifar10/train.npz nor cifar-10-batches-py/): using {limit} "
        f"{split} images of the sample shipped with colorcnn_repro ({SAMPLE_FILE}), smoke-scale results only",
        SampleDataWarning, stacklevel=3,
    )
