"""Training loops, run directories, checkpoints, augmentation and imitation targets."""
from .loops import frozen_classifier, load_quantizer_net, train_classifier, train_colorcnn, train_colorcnn_plus
from .runs import pick_device, run_dir

__all__ = ["frozen_classifier", "load_quantizer_net", "train_classifier", "train_colorcnn",
           "train_colorcnn_plus", "pick_device", "run_dir"]
