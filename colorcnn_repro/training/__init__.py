"""Training loops, augmentation and imitation targets; one trainer per learned method (:data:`TRAINERS`)."""
from .loops import TRAINERS, ensure_classifier, frozen_classifier, train_classifier, trainer

__all__ = ["TRAINERS", "ensure_classifier", "frozen_classifier", "train_classifier", "trainer"]
