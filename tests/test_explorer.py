"""The explorer's non-widget logic: a panel for an image, method and C, with graceful fallbacks."""
from __future__ import annotations

import numpy as np
import pytest

from colorcnn_repro.explorer import ALL_METHODS, Explorer, Panel, sample_images
from colorcnn_repro.quantizers import METHODS


def test_sample_images_are_cifar_images() -> None:
    samples = sample_images(3)
    assert len(samples) == 3
    assert all(img.shape == (32, 32, 3) and img.dtype == np.uint8 for img in samples.values())


def test_offers_every_method() -> None:
    assert set(METHODS) < set(ALL_METHODS) and {"colorcnn", "colorcnn+"} < set(ALL_METHODS)


def test_panel_for_a_classical_method(tmp_path, monkeypatch) -> None:
    image = next(iter(sample_images(1).values()))
    explorer = Explorer(profile="smoke")
    monkeypatch.setattr(Explorer, "top", lambda self, rgb, k=3: [("cat", 0.5), ("dog", 0.3), ("ship", 0.2)])
    panel = explorer.panel(image, "mediancut", 8)
    assert isinstance(panel, Panel) and panel.quantized is not None
    assert panel.quantized.shape == (32, 32) and panel.quantized.colors_used() <= 8
    assert panel.top3 == [("cat", 0.5), ("dog", 0.3), ("ship", 0.2)]
    assert "mediancut, C=8:" in panel.summary() and "bpp" in panel.summary()
    assert "<img" in panel._repr_html_() and "cat" in panel._repr_html_()


def test_missing_models_become_messages(monkeypatch) -> None:
    def missing(*args, **kwargs):
        raise FileNotFoundError("no pretrained model here")

    monkeypatch.setattr("colorcnn_repro.zoo.load_pretrained", missing)  # the classifier
    monkeypatch.setattr("colorcnn_repro.zoo.methods.load_pretrained", missing)  # the learned quantizers
    panel = Explorer(profile="cpu").panel(np.zeros((20, 30, 3), np.uint8), "colorcnn+", 4)
    assert panel.quantized is None and panel.top3 is None
    assert any("colorcnn+ is not available" in m for m in panel.messages)
    assert "not available" in panel.summary() and "<img" in panel._repr_html_()
    classical = Explorer(profile="cpu").panel(np.zeros((20, 30, 3), np.uint8), "octree", 4)
    assert classical.quantized is not None and any("No classifier" in m for m in classical.messages)


@pytest.mark.parametrize(("method", "colors", "match"), [("jpeg", 8, "unknown method 'jpeg'"),
                                                         ("octree", 65, "2..64.*65"), ("octree", 1, "got 1")])
def test_rejects_bad_choices(method: str, colors: int, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Explorer().panel(np.zeros((8, 8, 3), np.uint8), method, colors)
