"""A learned method added from this file alone: its spec, its network and its trainer, each registered under one
name (``methods.LEARNED``, ``models.colorcnn.QUANTIZER_NETS``, ``training.TRAINERS``). It trains at ``smoke`` and
the pipeline evaluates it beside MedianCut; nothing in the package names it."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from colorcnn_repro.config import ColorCNNConfig
from colorcnn_repro.experiments.pipeline import main_results
from colorcnn_repro.methods import LEARNED, LearnedMethod
from colorcnn_repro.models import build_normalized_classifier
from colorcnn_repro.models.checkpoint import classifier_checkpoint, quantizer_checkpoint, save_checkpoint
from colorcnn_repro.models.colorcnn import QUANTIZER_NETS, ColorQuantizerNet
from colorcnn_repro.paths import DataRoot
from colorcnn_repro.profiles import get_config, resolve
from colorcnn_repro.results import Scores
from colorcnn_repro.store import model_file, run_dir
from colorcnn_repro.training import TRAINERS, frozen_classifier
from colorcnn_repro.training.loops import load_split

#: One network per C, its config read from the ColorCNN section, its runs named ``toy-<key>``.
TOY = LearnedMethod("toy", "Toy", section="colorcnn", slug="toy", per_color=True)


class ToyNet(ColorQuantizerNet):
    """A narrow U-Net and a 1×1 convolution to C logits."""

    def __init__(self, colors: int, width: int = 4) -> None:
        super().__init__("unet", width)
        self.colors = colors
        self.config = {"colors": colors, "width": width}
        self.head = nn.Conv2d(width, colors, 1)

    def check_colors(self, colors: int) -> None:
        if colors != self.colors:
            raise ValueError(f"this toy serves C={self.colors}, not C={colors}")

    def logits(self, features: torch.Tensor, colors: int) -> torch.Tensor:
        return self.head(features)


def train_toy(cfg: ColorCNNConfig, root: DataRoot = None, device: str | None = None, *, until: int | None = None,
              archive: Path | None = None) -> Path:
    """Two steps of the task loss on 32 training images, against the frozen classifier."""
    run = run_dir("toy", cfg)
    clf = frozen_classifier(cfg.classifier, device="cpu")
    train = load_split(cfg.classifier.data, "train", root)
    x = torch.from_numpy(train.images[:32]).permute(0, 3, 1, 2).float() / 255
    y = torch.from_numpy(train.labels[:32]).long()
    torch.manual_seed(cfg.seed)
    net = ToyNet(cfg.colors)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    for _ in range(2):
        loss = F.cross_entropy(clf(net(x, cfg.colors, hard=False).image), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    save_checkpoint(quantizer_checkpoint(net), run / "model.pt")
    return run


@pytest.fixture
def toy(monkeypatch, tmp_path) -> None:
    """The toy method registered, runs, results and cache under tmp_path, and an untrained smoke classifier."""
    for var in ("RUNS", "RESULTS", "CACHE"):
        monkeypatch.setenv(f"COLORCNN_{var}", str(tmp_path / var.lower()))
    monkeypatch.setitem(LEARNED, "toy", TOY)
    monkeypatch.setitem(QUANTIZER_NETS, "toy", ToyNet)
    monkeypatch.setitem(TRAINERS, "toy", train_toy)
    torch.manual_seed(0)
    classifier = build_normalized_classifier("alexnet", 10, "cifar10")
    save_checkpoint(classifier_checkpoint(classifier, "alexnet", 10, "cifar10"),
                    run_dir("classifier", get_config("classifier", "smoke")) / "model.pt")


def test_a_method_defined_in_a_test_trains_at_smoke_and_is_evaluated(toy) -> None:
    exp = resolve("smoke", {"methods": ["mediancut", "toy"], "bits": [1, 2], "jpeg_qualities": [50], "limit": 20})
    result = main_results(exp)
    for colors in (2, 4):
        assert model_file("toy", get_config("toy", "smoke", {"colors": colors})) is not None  # one net per C
    scores = Scores(result)
    for bits in (1, 2):
        toy_metrics, mediancut = scores.metrics("toy", bits), scores.metrics("mediancut", bits)
        assert 0 <= toy_metrics["accuracy"] <= 1 and toy_metrics["colors_used"] <= 2**bits
        assert toy_metrics.keys() >= {"accuracy", "bpp"} and mediancut.keys() >= {"accuracy", "bpp"}
