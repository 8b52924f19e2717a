"""A researcher's own quantizer, named ``module:factory`` (``pkg.module:make_quantizer``, or a file,
``path/to/mine.py:MyQuantizer``), evaluated beside the paper's methods (``colorcnn evaluate --method SPEC``).

The factory is called with no arguments and returns an object with the :class:`~.interface.Quantizer` interface:
``quantize(image, colors) -> Quantized`` and, optionally, ``quantize_set(images, colors) -> QuantizedSet`` (else
each image is quantized in turn). Its results are keyed by the spec, which is also its method name there.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ..quantized import Quantized, QuantizedSet
from .classical import ImageLike


def is_external(method: str) -> bool:
    """Whether ``method`` names a user's quantizer (``module:factory``) rather than a built-in method."""
    return ":" in method


def _module(name: str) -> Any:
    if name.endswith(".py"):
        path = Path(name)
        if not path.is_file():
            raise ValueError(f"quantizer module {name!r}: no such file (looked for {path.absolute()})")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None  # a .py file that exists
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    if "" not in sys.path:  # a console script does not put the working folder on the path, as `python -m` does
        sys.path.insert(0, "")
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        raise ValueError(f"quantizer module {name!r} not found ({exc}); accepted: an importable module or a "
                         "path to a .py file, e.g. mine.py:MyQuantizer") from None


class ExternalQuantizer:
    """The object a ``module:factory`` spec makes, behind the quantizers' interface, named by the spec. Its
    output is checked: an index map of the image's size, with indices inside the palette, and at most C colours."""

    def __init__(self, spec: str) -> None:
        module_name, _, factory_name = spec.rpartition(":")
        if not module_name or not factory_name:
            raise ValueError(f"quantizer {spec!r}: expected MODULE:FACTORY, e.g. mypkg.quant:make or mine.py:Mine")
        factory = getattr(_module(module_name), factory_name, None)
        if not callable(factory):
            raise ValueError(f"quantizer {spec!r}: {module_name} has no callable {factory_name!r}")
        self.impl = factory()
        if not callable(getattr(self.impl, "quantize", None)):
            raise ValueError(f"quantizer {spec!r}: {factory_name}() returned {type(self.impl).__name__}, which has "
                             "no quantize(image, colors) method")
        self.name = spec

    def quantize(self, image: ImageLike, colors: int) -> Quantized:
        return self.impl.quantize(image, colors)

    def quantize_set(self, images: np.ndarray, colors: int) -> QuantizedSet:
        if callable(getattr(self.impl, "quantize_set", None)):
            out = self.impl.quantize_set(images, colors)
        else:
            out = QuantizedSet.of([self.impl.quantize(image, colors) for image in images], colors)
        if out.index.shape != images.shape[:3]:
            raise ValueError(f"quantizer {self.name!r} returned index maps of shape {out.index.shape} for images of "
                             f"shape {images.shape[:3]}")
        if int(out.index.max(initial=0)) >= min(colors, out.palette.shape[1]):
            raise ValueError(f"quantizer {self.name!r} used index {int(out.index.max())} with C = {colors} colours "
                             f"and a palette of {out.palette.shape[1]} rows")
        return out
