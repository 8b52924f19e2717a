"""A user's quantizer behind the quantizers' interface: loading by spec and the checks on its output."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from colorcnn_repro.quantizers.external import ExternalQuantizer, is_external

MODULE = '''
import numpy as np
from colorcnn_repro.quantized import Quantized, QuantizedSet

class Halves:  # left half colour 0, right half colour 1, whatever the image
    def quantize(self, image, colors):
        index = np.zeros(image.shape[:2], np.uint8)
        index[:, image.shape[1] // 2:] = 1
        return Quantized(index, np.array([[0, 0, 0], [255, 255, 255]], np.uint8))

class WrongShape:
    def quantize(self, image, colors):
        return Quantized(np.zeros((2, 2), np.uint8), np.zeros((1, 3), np.uint8))

class TooMany:
    def quantize(self, image, colors):
        return Quantized(np.full(image.shape[:2], 3, np.uint8), np.zeros((4, 3), np.uint8))

def not_a_quantizer():
    return 42
'''


@pytest.fixture
def module(tmp_path: Path) -> Path:
    path = tmp_path / "mine.py"
    path.write_text(MODULE)
    return path


def test_a_set_is_quantized_image_by_image_without_quantize_set(module: Path) -> None:
    q = ExternalQuantizer(f"{module}:Halves")
    assert q.name == f"{module}:Halves" and is_external(q.name) and not is_external("mediancut")
    qs = q.quantize_set(np.zeros((3, 4, 6, 3), np.uint8), 2)
    assert qs.index.shape == (3, 4, 6) and qs.palette.shape == (3, 2, 3)
    assert qs.index[0].tolist() == [[0, 0, 0, 1, 1, 1]] * 4 and qs.palette[2, 1].tolist() == [255, 255, 255]


@pytest.mark.parametrize(("factory", "message"), [
    ("WrongShape", "returned index maps of shape (1, 2, 2) for images of shape (1, 4, 6)"),
    ("TooMany", "used index 3 with C = 2 colours"),
])
def test_output_that_breaks_the_interface_is_refused(module: Path, factory: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ExternalQuantizer(f"{module}:{factory}").quantize_set(np.zeros((1, 4, 6, 3), np.uint8), 2)


def test_a_factory_that_makes_no_quantizer_is_refused(module: Path) -> None:
    with pytest.raises(ValueError, match="not_a_quantizer\\(\\) returned int, which has no quantize"):
        ExternalQuantizer(f"{module}:not_a_quantizer")
