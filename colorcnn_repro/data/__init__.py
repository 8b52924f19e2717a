"""Data layer: load any supported dataset split into memory as :class:`ImageArrays`.

Datasets: cifar10, cifar100, stl10, tinyimagenet, voc2012, folder, npz. Layouts: ``data/README.md``. A small
CIFAR-10 sample ships with the package for smoke runs without data (:mod:`colorcnn_repro.data.sample`).
"""
from .arrays import ImageArrays, balanced_split
from .loader import SOURCES, SPLITS, load_dataset
from .root import MissingDataError
from .sample import SampleDataWarning

DATASETS = tuple(SOURCES)

__all__ = [
    "DATASETS",
    "SPLITS",
    "ImageArrays",
    "MissingDataError",
    "SampleDataWarning",
    "balanced_split",
    "load_dataset",
]
