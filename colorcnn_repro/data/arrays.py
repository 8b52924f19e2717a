"""In-memory image datasets (:class:`ImageArrays`), their not-yet-decoded form (:class:`RawSplit`), and the
seeded, class-balanced index helpers."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image


@dataclass
class ImageArrays:
    """A split of a dataset held in memory.

    ``images``: (N, H, W, 3) uint8 RGB. ``labels``: (N,) int64 class indices, or (N, K) float32 0/1
    multi-hot vectors when ``multilabel``. ``classes``: the K class names in label order.
    """

    images: np.ndarray
    labels: np.ndarray
    classes: list[str]
    name: str
    split: str
    multilabel: bool = False

    def __post_init__(self) -> None:
        if self.images.dtype != np.uint8 or self.images.ndim != 4 or self.images.shape[-1] != 3:
            raise ValueError(
                f"images must be (N, H, W, 3) uint8, got {self.images.shape} {self.images.dtype}"
            )
        want_ndim = 2 if self.multilabel else 1
        if self.labels.ndim != want_ndim or len(self.labels) != len(self.images):
            raise ValueError(
                f"labels must have shape ({len(self.images)},{' K' if self.multilabel else ''}), "
                f"got {self.labels.shape}"
            )

    def __len__(self) -> int:
        return len(self.images)

    def subset(self, indices: Sequence[int] | np.ndarray) -> ImageArrays:
        """The same dataset restricted to ``indices`` (in the given order)."""
        idx = np.asarray(indices, dtype=np.int64)
        return replace(self, images=self.images[idx], labels=self.labels[idx])

    def describe(self) -> dict[str, Any]:
        """A JSON-ready summary for result files."""
        return {
            "name": self.name,
            "split": self.split,
            "count": len(self),
            "image_size": [int(self.images.shape[1]), int(self.images.shape[2])],
            "num_classes": len(self.classes),
            "multilabel": self.multilabel,
        }


def balanced_order(labels: np.ndarray, seed: int) -> np.ndarray:
    """All indices in a seeded round-robin over classes: every prefix is as class-balanced as possible.

    Multi-hot labels are stratified by their first positive class.
    """
    strata = labels.argmax(axis=1) if labels.ndim == 2 else labels
    _, strata = np.unique(strata, return_inverse=True)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(strata))
    shuffled = strata[perm]
    by_class = np.argsort(shuffled, kind="stable")
    sorted_classes = shuffled[by_class]
    rank = np.empty(len(shuffled), dtype=np.int64)
    rank[by_class] = np.arange(len(shuffled)) - np.searchsorted(sorted_classes, sorted_classes)
    class_turn = rng.permutation(int(strata.max(initial=-1)) + 1)[shuffled]
    return perm[np.lexsort((class_turn, rank))]


def balanced_split(labels: np.ndarray, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices split as (rest, chosen): ``size`` seeded, class-balanced picks and the others, both sorted."""
    if not 0 <= size <= len(labels):
        raise ValueError(f"cannot take {size} of {len(labels)} images")
    order = balanced_order(labels, seed)
    return np.sort(order[size:]), np.sort(order[:size])


def resize_image(image: Image.Image, size: int) -> Image.Image:
    """``image`` as RGB, resized (bicubic, aspect ratio not kept) to ``size``×``size`` if it differs."""
    image = image.convert("RGB")
    return image if image.size == (size, size) else image.resize((size, size), Image.Resampling.BICUBIC)


def resize_images(images: np.ndarray, size: int | None) -> np.ndarray:
    """A (N, H, W, 3) uint8 batch resized to ``size``×``size`` (unchanged if ``size`` is None or met)."""
    if size is None or images.shape[1:3] == (size, size):
        return images
    out = np.empty((len(images), size, size, 3), dtype=np.uint8)
    for i, image in enumerate(images):
        out[i] = np.asarray(resize_image(Image.fromarray(image), size))
    return out


def decode_images(paths: Sequence[Path], size: int | None) -> np.ndarray:
    """Decode image files to a (N, H, W, 3) uint8 RGB batch, resized to ``size``×``size`` if given.

    Without ``size`` all images must share one size.
    """
    out = np.empty((len(paths), size or 0, size or 0, 3), dtype=np.uint8)
    for i, path in enumerate(paths):
        with Image.open(path) as image:
            array = np.asarray(resize_image(image, size) if size else image.convert("RGB"))
        if i == 0 and not size:
            out = np.empty((len(paths), *array.shape), dtype=np.uint8)
        if array.shape != out.shape[1:]:
            raise ValueError(
                f"{path} is {array.shape[1]}×{array.shape[0]} but earlier images are "
                f"{out.shape[2]}×{out.shape[1]}; pass image_size= to resize them all"
            )
        out[i] = array
    return out


@dataclass(frozen=True)
class RawSplit:
    """One official split as a reader returns it: labels, and images decoded or still as files.

    The loader picks indices from the labels first, so only the chosen files are ever decoded.
    """

    labels: np.ndarray
    classes: list[str]
    images: np.ndarray | list[Path]
    multilabel: bool = False

    def __len__(self) -> int:
        return len(self.labels)

    def materialize(self, indices: np.ndarray, image_size: int | None, name: str, split: str) -> ImageArrays:
        """The chosen images as :class:`ImageArrays`, resized to ``image_size``×``image_size`` if given."""
        if isinstance(self.images, np.ndarray):
            images = resize_images(self.images[indices], image_size)
        else:
            images = decode_images([self.images[i] for i in indices], image_size)
        return ImageArrays(images, self.labels[indices], list(self.classes), name, split, self.multilabel)


def npz_split(path: Path) -> RawSplit:
    """An .npz with ``images`` (N, H, W, 3) uint8, ``labels`` (N,) and optionally ``classes`` (names)."""
    with np.load(path) as data:
        missing = {"images", "labels"} - set(data.files)
        if missing:
            raise ValueError(f"{path} lacks the arrays {sorted(missing)} (has {data.files})")
        raw_labels = data["labels"]
        labels = raw_labels.astype(np.int64)
        if np.any(labels != raw_labels):
            bad = raw_labels[labels != raw_labels][0]
            raise ValueError(f"{path}: labels must be integer class indices, got {bad!r}")
        classes = [str(c) for c in data["classes"]] if "classes" in data.files else None
        images = data["images"]
    if len(images) == 0 or len(labels) == 0:
        raise ValueError(f"{path} holds no images (images {images.shape}, labels {labels.shape}); accepted: an .npz "
                         "with at least one image, images (N, H, W, 3) uint8 and labels (N,)")
    if len(images) != len(labels):
        raise ValueError(f"{path} holds {len(images)} images but {len(labels)} labels; accepted: one label per "
                         "image, images (N, H, W, 3) uint8 and labels (N,)")
    if classes is None:
        classes = [str(i) for i in range(int(labels.max(initial=-1)) + 1)]
    return RawSplit(labels, classes, images)
