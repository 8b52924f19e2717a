"""Readers for image-file datasets (Tiny-ImageNet-200, Pascal VOC 2012, class-per-folder) and .npz files.

File-based readers return paths; the loader decodes only the images it keeps.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from .arrays import RawSplit, npz_split
from .root import MissingDataError, require, torchvision_fetcher, torchvision_hint

TINY_URL = "http://cs231n.stanford.edu/tiny-imagenet-200.zip"
TINY_MD5 = "90528d7ca1a48142e341f4ef8d21d0de"
TINY_DIRS = ("tiny-imagenet-200", "tiny-imagenet-200-subset20/tiny-imagenet-200", ".")
VOC_CLASSES = [
    "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable",
    "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
]
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp"}


def read_tinyimagenet(root: Path, part: str, download: bool) -> RawSplit:
    """Tiny-ImageNet-200 in its official layout; ``test`` is the official ``val`` folder.

    Classes are the wnids in ``wnids.txt`` order, so a subset folder (fewer wnids) reads unchanged.
    Looks in ``root/tiny-imagenet-200``, ``root/tiny-imagenet-200-subset20/tiny-imagenet-200`` and ``root``.
    """
    def fetch() -> None:
        from torchvision.datasets.utils import download_and_extract_archive

        download_and_extract_archive(TINY_URL, str(root), md5=TINY_MD5)

    expected = ["wnids.txt", "train" if part == "train" else "val/val_annotations.txt"]
    how = f"call load_dataset(..., download=True) with internet access (fetches {TINY_URL} into {root})."
    folder = require(
        "Tiny-ImageNet-200", "Tiny-ImageNet-200", [root / d for d in TINY_DIRS], expected, how,
        fetch if download else None,
    )
    wnids = (folder / "wnids.txt").read_text().split()
    index = {w: i for i, w in enumerate(wnids)}
    if part == "train":
        pairs = [
            (p, index[w]) for w in wnids for p in sorted((folder / "train" / w / "images").glob("*.JPEG"))
        ]
    else:
        lines = (folder / "val" / "val_annotations.txt").read_text().splitlines()
        rows = [line.split("\t") for line in lines]
        pairs = [(folder / "val" / "images" / r[0], index[r[1]]) for r in rows if r[1:2] and r[1] in index]
    return _file_split(pairs, wnids)


def read_voc2012(root: Path, part: str, download: bool) -> RawSplit:
    """Pascal VOC 2012 with 20-class multi-hot labels from ``Annotations/*.xml``; ``test`` = official ``val``.

    Every annotated object counts, ``difficult`` ones included (the object is in the image).
    """
    image_set = "train" if part == "train" else "val"
    folder = require(
        "Pascal VOC 2012", "Pascal VOC 2012", [root / "VOCdevkit" / "VOC2012"],
        ["JPEGImages", "Annotations", f"ImageSets/Main/{image_set}.txt"], torchvision_hint(root),
        torchvision_fetcher("VOCDetection", root, download, year="2012", image_set="trainval"),
    )
    ids = (folder / "ImageSets" / "Main" / f"{image_set}.txt").read_text().split()
    labels = np.zeros((len(ids), len(VOC_CLASSES)), dtype=np.float32)
    for row, image_id in zip(labels, ids):
        for obj in ET.parse(folder / "Annotations" / f"{image_id}.xml").getroot().iter("object"):
            row[VOC_CLASSES.index(obj.findtext("name", "").strip())] = 1.0
    paths = [folder / "JPEGImages" / f"{i}.jpg" for i in ids]
    return RawSplit(labels, list(VOC_CLASSES), paths, multilabel=True)


def folder_split_dir(root: Path, part: str) -> Path:
    """Where a class-per-folder dataset keeps ``part``: ``root/<part>/`` if ``root/train/`` exists, else
    ``root`` itself holds the training classes (and no val/test)."""
    return root if part == "train" and not (root / "train").is_dir() else root / part


def folder_has_val(root: Path) -> bool:
    return (root / "train").is_dir() and (root / "val").is_dir()


def read_folder(root: Path, part: str, download: bool) -> RawSplit:
    """A class-per-folder dataset: ``<split dir>/<class>/*.{png,jpg,jpeg,bmp}``; classes sorted by name,
    taken from the training folder so every split shares one label order. ``download`` is not supported."""
    train_dir = folder_split_dir(root, "train")
    classes = sorted(p.name for p in train_dir.iterdir() if p.is_dir()) if train_dir.is_dir() else []
    split_dir = folder_split_dir(root, part)
    if not classes or not split_dir.is_dir():
        raise MissingDataError(
            "Image folder", [split_dir], ["<class>/*.png|jpg|jpeg|bmp"],
            f"arrange your images as {root}/<class>/... or {root}/{{train,val,test}}/<class>/....",
            "Generic class-per-folder",
        )
    index = {c: i for i, c in enumerate(classes)}
    pairs = []
    for class_dir in sorted(p for p in split_dir.iterdir() if p.is_dir()):
        if class_dir.name not in index:
            raise ValueError(f"class folder {class_dir} has no counterpart in {train_dir}")
        files = sorted(p for p in class_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        pairs += [(p, index[class_dir.name]) for p in files]
    return _file_split(pairs, classes)


def read_npz(path: Path, part: str, download: bool) -> RawSplit:
    """Any .npz with ``images`` and ``labels`` (optional ``classes``); every split reads the whole file."""
    if not path.is_file():
        raise MissingDataError(
            "npz", [path], ["an .npz with images (N, H, W, 3) uint8 and labels (N,)"],
            "pass root=<path to the .npz file>.", "Any .npz file",
        )
    return npz_split(path)


def _file_split(pairs: list[tuple[Path, int]], classes: list[str]) -> RawSplit:
    labels = np.array([label for _, label in pairs], dtype=np.int64)
    return RawSplit(labels, classes, [path for path, _ in pairs])
