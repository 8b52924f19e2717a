"""Readers for the datasets torchvision ships as binary archives: CIFAR-10, CIFAR-100 and STL-10.

Files are parsed directly (torchvision's classes check archive checksums); torchvision is used only to
download when ``download=True``.
"""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np

from .arrays import RawSplit, npz_split
from .root import require, torchvision_fetcher, torchvision_hint

CIFAR10_NPZ = Path("cifar10") / "train.npz"


def _unpickle(path: Path) -> dict[str, Any]:
    with open(path, "rb") as f:
        return pickle.load(f, encoding="latin1")


def _cifar_split(folder: Path, batches: list[str], label_key: str, classes: list[str]) -> RawSplit:
    """Concatenate CIFAR python batches (rows of 3072 bytes, channel-major 3×32×32)."""
    entries = [_unpickle(folder / b) for b in batches]
    data = np.concatenate([np.asarray(e["data"], dtype=np.uint8) for e in entries])
    images = np.ascontiguousarray(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    labels = np.concatenate([np.asarray(e[label_key], dtype=np.int64) for e in entries])
    return RawSplit(labels, classes, images)


def read_cifar10(root: Path, part: str, download: bool) -> RawSplit:
    """CIFAR-10 ``train`` from ``root/cifar10/train.npz`` if present, else (and ``test`` always) from
    torchvision's ``root/cifar-10-batches-py/``."""
    npz = root / CIFAR10_NPZ
    if part == "train" and npz.is_file():
        return npz_split(npz)
    batches = [f"data_batch_{i}" for i in range(1, 6)] if part == "train" else ["test_batch"]
    how = torchvision_hint(root)
    if part == "train":
        how += f" Alternatively, place the training set as {npz} (keys images, labels, classes)."
    elif npz.is_file():
        how += f" {npz} holds only the training images; the test split needs the official test_batch."
    folder = require(
        "CIFAR-10", "CIFAR-10", [root / "cifar-10-batches-py"], [*batches, "batches.meta"], how,
        torchvision_fetcher("CIFAR10", root, download),
    )
    return _cifar_split(folder, batches, "labels", _unpickle(folder / "batches.meta")["label_names"])


def read_cifar100(root: Path, part: str, download: bool) -> RawSplit:
    """CIFAR-100 (100 fine labels) from torchvision's ``root/cifar-100-python/{train,test,meta}``."""
    folder = require(
        "CIFAR-100", "CIFAR-100", [root / "cifar-100-python"], [part, "meta"], torchvision_hint(root),
        torchvision_fetcher("CIFAR100", root, download),
    )
    return _cifar_split(folder, [part], "fine_labels", _unpickle(folder / "meta")["fine_label_names"])


def read_stl10(root: Path, part: str, download: bool) -> RawSplit:
    """STL-10 labelled ``train``/``test`` from torchvision's ``root/stl10_binary/`` (96×96, 1-based labels).

    Each image in ``*_X.bin`` is 3×96×96 bytes in column-major order (channel, column, row).
    """
    names = [f"{part}_X.bin", f"{part}_y.bin", "class_names.txt"]
    folder = require(
        "STL-10", "STL-10", [root / "stl10_binary"], names, torchvision_hint(root),
        torchvision_fetcher("STL10", root, download, split="train"),
    )
    raw = np.fromfile(folder / names[0], dtype=np.uint8).reshape(-1, 3, 96, 96)
    images = np.ascontiguousarray(raw.transpose(0, 3, 2, 1))
    labels = np.fromfile(folder / names[1], dtype=np.uint8).astype(np.int64) - 1
    classes = (folder / "class_names.txt").read_text().split()
    return RawSplit(labels, classes, images)
