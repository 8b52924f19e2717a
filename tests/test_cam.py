"""Grad-CAM (Fig. 1): shapes and ranges for the registered classifiers, the hooked layer, a hand-built net
whose map must peak on the evidence, and the Fig. 1 panels."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from colorcnn_repro.evaluation.cam import cam_agreement, cam_panels, global_pool, grad_cam, target_classes
from colorcnn_repro.models import ColorCNNPlus, NormalizedClassifier, build_normalized_classifier
from colorcnn_repro.quantizers.learned import LearnedQuantizer

FEATURE_MODULE = {"alexnet": "features", "vgg16": "features", "resnet18": "layers"}


def frozen(clf: nn.Module) -> nn.Module:
    for p in clf.parameters():
        p.requires_grad_(False)
    return clf.eval()


@pytest.mark.parametrize("name", sorted(FEATURE_MODULE))
def test_grad_cam_shape_range_and_hooked_layer(name: str) -> None:
    torch.manual_seed(0)
    clf = frozen(build_normalized_classifier(name, 10, "cifar10"))
    x = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    target = torch.tensor([3, 7])
    cam, conf, logits = grad_cam(clf, x, target)
    assert cam.shape == (2, 32, 32)
    assert (cam >= 0).all() and cam.max() <= 1 + 1e-6
    assert torch.allclose(conf, logits.softmax(1)[torch.arange(2), target])
    assert global_pool(clf) is clf.body.pool
    # the default hook is the feature map the global pooling receives: the output of features / layers
    explicit, _, _ = grad_cam(clf, x, target, layer=getattr(clf.body, FEATURE_MODULE[name]))
    assert torch.allclose(cam, explicit, atol=1e-6)
    raw, _, _ = grad_cam(clf, x, target, normalize=False)
    assert (raw >= 0).all()
    assert not clf.training and all(not p.requires_grad for p in clf.parameters())


class RedDetector(nn.Module):
    """A 2×2 stride-2 conv that responds to red only, ReLU, global average pooling, and a linear layer with
    class 0 = "red" (weight +1) and class 1 = "not red" (weight −1)."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 1, 2, stride=2, bias=False), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(1, 2)
        with torch.no_grad():
            self.features[0].weight.zero_()
            self.features[0].weight[0, 0] = 0.25  # mean of the red channel over each 2×2 cell
            self.classifier.weight.copy_(torch.tensor([[4.0], [-4.0]]))
            self.classifier.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pool(self.features(x)).flatten(1))


def test_cam_peaks_where_the_evidence_is() -> None:
    clf = frozen(NormalizedClassifier(RedDetector(), (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)))
    x = torch.zeros(2, 3, 16, 16)
    x[0, 0, 2:6, 10:14] = 1.0  # a red square top right
    x[1, 0, 10:14, 2:6] = 1.0  # bottom left
    x[:, 2] = 0.5  # blue everywhere: no evidence for "red"
    cam, conf, _ = grad_cam(clf, x, torch.tensor([0, 0]))
    for i, (rows, cols) in enumerate([(slice(2, 6), slice(10, 14)), (slice(10, 14), slice(2, 6))]):
        r, c = divmod(int(cam[i].argmax()), 16)
        assert rows.start <= r < rows.stop and cols.start <= c < cols.stop
        inside = cam[i, rows, cols].mean()
        outside_mask = torch.ones(16, 16, dtype=torch.bool)
        outside_mask[max(rows.start - 2, 0):rows.stop + 2, max(cols.start - 2, 0):cols.stop + 2] = False
        assert cam[i][outside_mask].max() < 1e-6 < inside  # nothing away from the square (bilinear halo aside)
    assert (conf > 0.5).all()
    # the "not red" class has only negative evidence here: ReLU leaves an all-zero map, kept zero
    cam1, conf1, _ = grad_cam(clf, x, torch.tensor([1, 1]))
    assert torch.equal(cam1, torch.zeros_like(cam1))
    assert torch.allclose(conf1, 1 - conf)


def test_cam_agreement_and_targets() -> None:
    rng = np.random.default_rng(0)
    a = rng.random((3, 5, 5))
    assert np.allclose(cam_agreement(a, a), 1.0)
    assert np.allclose(cam_agreement(a, 1 - a), -1.0)
    assert np.allclose(cam_agreement(a, np.zeros_like(a)), 0.0)
    assert target_classes(np.array([2, 0])).tolist() == [2, 0]
    multi = np.array([[0, 1, 1], [1, 0, 0]], np.float32)
    scores = np.array([[0.9, 0.2, 0.7], [0.1, 0.9, 0.9]])
    assert target_classes(multi, scores).tolist() == [2, 0]


def test_cam_panels_structure() -> None:
    torch.manual_seed(0)
    clf = frozen(NormalizedClassifier(RedDetector(), (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)))
    net = ColorCNNPlus(width=4, bottleneck=4, depth=16, topk=4).eval()
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (3, 16, 16, 3), dtype=np.uint8)
    labels = np.array([0, 1, 0])
    out = cam_panels(clf, images, labels, ("mediancut", "colorcnn+"), (1, 2),
                     {"colorcnn+": LearnedQuantizer.from_nets("colorcnn+", {2: net, 4: net})},
                     batch_size=2)
    assert out["target"].tolist() == [0, 1, 0]
    assert np.array_equal(out["original"]["images"], images)
    for m in ("mediancut", "colorcnn+"):
        assert set(out["methods"][m]) == {"1", "2"}
        for b, panel in out["methods"][m].items():
            assert panel["images"].shape == images.shape and panel["images"].dtype == np.uint8
            assert panel["cam"].shape == (3, 16, 16) and (panel["cam"] >= 0).all()
            assert panel["confidence"].shape == (3,) and ((0 <= panel["confidence"]) & (panel["confidence"] <= 1)).all()
            assert panel["agreement"].shape == (3,)
            per_image = [len(np.unique(img.reshape(-1, 3), axis=0)) for img in panel["images"]]
            assert max(per_image) <= 2 ** int(b)
    with pytest.raises(ValueError, match="no colorcnn\\+ net"):
        cam_panels(clf, images, labels, ("colorcnn+",), (3,),
                   {"colorcnn+": LearnedQuantizer.from_nets("colorcnn+", {2: net})})
