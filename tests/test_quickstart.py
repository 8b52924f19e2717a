"""The quickstart's logic (notebook 00): photo cropping, the zoo-or-train choice of learned quantizers, the
per-photo quantization and its summary table, on hand-made images."""
from __future__ import annotations

import numpy as np
import pytest

from colorcnn_repro.experiments import quickstart as photos
from colorcnn_repro.models import ColorCNNPlus
from colorcnn_repro.report import quickstart


def test_square_photo_keeps_the_centre() -> None:
    """A 4×6 image whose outer columns are red and inner four green: the centre square is all green."""
    image = np.zeros((4, 6, 3), np.uint8)
    image[:, [0, 5]] = (255, 0, 0)
    image[:, 1:5] = (0, 255, 0)
    out = photos.square_photo(image, 16)
    assert out.shape == (16, 16, 3)
    assert (out == (0, 255, 0)).all()


def test_square_photo_makes_grey_rgb_and_rejects_other_sizes() -> None:
    assert photos.square_photo(np.full((8, 8), 7, np.uint8), 16).shape == (16, 16, 3)
    with pytest.raises(ValueError, match="multiple of 16, got 20"):
        photos.square_photo(np.zeros((8, 8, 3), np.uint8), 20)


def test_quantize_photos_and_summary_by_hand() -> None:
    """A two-colour photo: MedianCut at 1 bit keeps both colours, at 2 bits still two (no more exist)."""
    photo = np.zeros((16, 16, 3), np.uint8)
    photo[:, 8:] = 255
    quantized = photos.quantize_photos({"p": photo}, ["mediancut"], [1, 2], {})
    assert sorted(quantized) == [("p", "mediancut", 1), ("p", "mediancut", 2)]
    assert [q.colors_used() for q in quantized.values()] == [2, 2]
    table = quickstart.summary_table(quantized, ["p"], ["mediancut"], [1, 2])
    header, _, row = table.splitlines()
    assert [c.strip() for c in header.split("|")[1:-1]] == ["method", "1 bit", "2 bit"]
    assert row.startswith("| MedianCut") and row.count("2.0 col") == 2
    fig = quickstart.photo_grid("p", photo, quantized, ["mediancut"], [1, 2], "nowhere")
    assert len([ax for ax in fig.axes if ax.images]) == 3  # original, 1 bit, 2 bit


def test_learned_quantizers_train_the_profile_when_the_zoo_lacks_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Zoo weights missing at ``weights_profile``: the profile's ColorCNN+ stage runs, then its model loads."""
    calls = []

    def load(name, dataset, classifier, colors, profile, extra):
        calls.append(("load", name, profile, extra))
        if profile == "cpu":
            raise FileNotFoundError("no zoo entry")
        return ColorCNNPlus(width=4, bottleneck=4, depth=8)

    monkeypatch.setattr(photos, "load_pretrained", load)
    monkeypatch.setattr(photos, "learned_stage", lambda exp, method, bits: calls.append(("train", method, exp.profile)))
    learned, source, _ = photos.learned_quantizers(["colorcnn+", "mediancut"], [1], "cifar10", "alexnet", "smoke",
                                                    {"colorcnn_plus.lam": 1.0})
    assert source == "this smoke profile's own trained models"
    assert list(learned) == ["colorcnn+"]
    assert calls == [("load", "colorcnn+", "cpu", None), ("train", "colorcnn+", "smoke"),
                     ("load", "colorcnn+", "smoke", {"colorcnn_plus.lam": 1.0})]


def test_learned_quantizers_from_the_shipped_zoo() -> None:
    learned, source, files = photos.learned_quantizers(["colorcnn", "colorcnn+"], [1], "cifar10", "alexnet", "smoke")
    assert source == "the model zoo (cpu profile)"
    assert learned["colorcnn"].net_for(2).colors == 2
    assert [f.parent.name for f in files] == ["zoo", "zoo"]
    assert [f.name.split("-")[0] for f in files] == ["colorcnn", "colorcnn_plus"]  # in the order asked for
