"""Training loops, run directories, checkpoints, augmentation and imitation targets."""
from .loops import ensure_classifier, frozen_classifier, train_classifier, train_colorcnn, train_colorcnn_plus
from .runs import run_dir

__all__ = ["ensure_classifier", "frozen_classifier", "train_classifier", "train_colorcnn", "train_colorcnn_plus",
           "run_dir"]
