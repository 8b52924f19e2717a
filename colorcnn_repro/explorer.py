"""Interactive explorer for JupyterLab (``notebooks/13_explorer.ipynb``): pick or upload an image, a method
and a colour count C, and see the quantized image beside the original with the colours used, the bitrate and
the classifier's top-3 on the quantized image.

The logic (:class:`Explorer`, :meth:`Explorer.panel`) is plain Python; :func:`build_explorer` wraps it in
ipywidgets (imported there only). Learned quantizers and the classifier come from the zoo; when none matches
(e.g. at the smoke profile on CI) the panel says so in a message instead of failing.
"""
from __future__ import annotations

import base64
import html
import io
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from .methods import LEARNED
from .profiles import PIPELINE_CHECK
from .quantized import Quantized
from .quantizers import METHODS, ClassicalQuantizer, Quantizer, as_rgb, check_colors

if TYPE_CHECKING:
    from .quantizers.learned import LearnedQuantizer

ALL_METHODS = (*METHODS, *LEARNED)
MIN_COLORS, MAX_COLORS = 2, 64
SAMPLE_COUNT = 6
TOP = 3


def check_method(method: str) -> str:
    """``method`` if the explorer offers it (every classical and learned method); ValueError otherwise."""
    if method not in ALL_METHODS:
        raise ValueError(f"unknown method {method!r}; accepted: {', '.join(ALL_METHODS)}")
    return method


def sample_images(count: int = SAMPLE_COUNT) -> dict[str, np.ndarray]:
    """The first image of each of the first ``count`` classes of the CIFAR-10 sample shipped with the
    package, by name ("cat (CIFAR-10 sample #3)")."""
    from .data.sample import read_sample

    raw = read_sample()
    out: dict[str, np.ndarray] = {}
    for label, name in enumerate(raw.classes[:count]):
        i = int(np.flatnonzero(raw.labels == label)[0])
        out[f"{name} (CIFAR-10 sample #{i})"] = np.asarray(raw.images[i])
    return out


def png_data_uri(rgb: np.ndarray, scale: int = 1) -> str:
    """A ``data:image/png`` URI of an H×W×3 uint8 image, enlarged ``scale``× (nearest neighbour)."""
    img = Image.fromarray(rgb)
    if scale > 1:
        img = img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@dataclass(frozen=True)
class Panel:
    """What the explorer shows for one (image, method, C): ``quantized`` is None when the method could not
    run; ``top3`` is None when no classifier is available; ``messages`` say why."""

    original: np.ndarray
    method: str
    colors: int
    quantized: Quantized | None
    top3: list[tuple[str, float]] | None
    messages: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line: method, C, colours used and bpp (or that it did not run)."""
        if self.quantized is None:
            return f"{self.method}, C={self.colors}: not available"
        q = self.quantized
        return f"{self.method}, C={self.colors}: {q.colors_used()} colours used, {q.bpp():.3f} bpp"

    def _repr_html_(self) -> str:
        side = max(self.original.shape[:2])
        scale = max(1, 256 // side)
        cells = [("original", self.original)]
        if self.quantized is not None:
            cells.append((self.summary(), self.quantized.to_rgb()))
        figures = "".join(
            f'<figure style="margin:0 12px 0 0"><img src="{png_data_uri(rgb, scale)}" '
            f'style="image-rendering:pixelated"/><figcaption>{html.escape(caption)}</figcaption></figure>'
            for caption, rgb in cells)
        top = ("".join(f"<li>{html.escape(name)}: {p:.1%}</li>" for name, p in self.top3)
               if self.top3 is not None else "")
        top = f"<p>Classifier top-{TOP} on the quantized image:</p><ol>{top}</ol>" if top else ""
        notes = "".join(f"<p><em>{html.escape(m)}</em></p>" for m in self.messages)
        return f'<div style="display:flex">{figures}</div>{top}{notes}'


@dataclass
class Explorer:
    """The explorer's state: the zoo settings, and the learned quantizers and classifier loaded so far
    (each at most once; a failed load is remembered as its message)."""

    profile: str = "cpu"
    dataset: str = "cifar10"
    classifier: str = "alexnet"
    input_size: int = 32  # the classifier's training resolution; images are resized to it
    classes: list[str] | None = None  # class names in label order; default: the CIFAR-10 sample's
    _learned: dict[str, LearnedQuantizer | str] = field(default_factory=dict, repr=False)
    _classifier: Any = field(default=None, repr=False)

    def quantizer(self, method: str) -> Quantizer:
        """The quantizer of ``method``; raises FileNotFoundError/ValueError when a learned one is not in the
        zoo for these settings."""
        if check_method(method) in METHODS:
            return ClassicalQuantizer(method)
        if method not in self._learned:
            from .zoo import pretrained_quantizer

            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # the smoke-profile warning becomes the panel's message
                    self._learned[method] = pretrained_quantizer(
                        method, None, self.dataset, self.classifier, self.profile)
            except (FileNotFoundError, ValueError) as exc:
                self._learned[method] = str(exc)
        learned = self._learned[method]
        if isinstance(learned, str):
            raise FileNotFoundError(learned)
        return learned

    def top(self, rgb: np.ndarray, k: int = TOP) -> list[tuple[str, float]]:
        """The classifier's top-``k`` (class, probability) on ``rgb`` resized to ``input_size``;
        FileNotFoundError when the zoo has no classifier for these settings."""
        import torch

        if self._classifier is None:
            from . import zoo

            try:
                self._classifier = zoo.load_pretrained("classifier", self.dataset, self.classifier,
                                                       profile=self.profile).eval()
            except FileNotFoundError as exc:
                self._classifier = str(exc)
        if isinstance(self._classifier, str):
            raise FileNotFoundError(self._classifier)
        if self.classes is None:
            from .data.sample import read_sample

            self.classes = list(read_sample().classes)
        small = Image.fromarray(rgb).resize((self.input_size, self.input_size), Image.Resampling.BICUBIC)
        x = torch.from_numpy(np.asarray(small)).permute(2, 0, 1)[None].float().div_(255)
        with torch.no_grad():
            probs = self._classifier(x)[0].softmax(dim=0)
        values, indices = probs.topk(min(k, probs.numel()))
        names = [self.classes[i] if i < len(self.classes) else f"class {i}" for i in indices.tolist()]
        return list(zip(names, values.tolist()))

    def panel(self, image: Any, method: str, colors: int) -> Panel:
        """Quantize ``image`` (anything :func:`~colorcnn_repro.quantizers.as_rgb` accepts) with ``method`` to
        ``colors`` colours and classify the result; a missing zoo model becomes a message, not an error."""
        method, colors = check_method(method), check_colors(colors)
        if not MIN_COLORS <= colors <= MAX_COLORS:
            raise ValueError(f"colors must lie in {MIN_COLORS}..{MAX_COLORS} in the explorer, got {colors}")
        rgb = as_rgb(image)
        messages: list[str] = []
        try:
            q: Quantized | None = self.quantizer(method).quantize(rgb, colors)
        except (FileNotFoundError, ValueError) as exc:
            q = None
            messages.append(f"{method} is not available: {exc}")
        if q is not None and method in LEARNED and PIPELINE_CHECK[self.profile]:
            messages.append(f"{method} at the smoke profile is a pipeline check, not a trained quantizer.")
        top3 = None
        if q is not None:
            try:
                top3 = self.top(q.to_rgb())
            except FileNotFoundError as exc:
                messages.append(f"No classifier: {exc}")
        return Panel(rgb, method, colors, q, top3, tuple(messages))


class ExplorerApp:
    """The widgets around an :class:`Explorer`: ``box`` to display, :meth:`update` to recompute (called on
    every change, and callable from code)."""

    def __init__(self, explorer: Explorer, samples: dict[str, np.ndarray]) -> None:
        import ipywidgets as w

        self.explorer = explorer
        self.samples = dict(samples)
        self.image = w.Dropdown(options=list(self.samples), description="Image")
        self.path = w.Text(placeholder="or type an image path and press Enter", description="Path")
        self.upload = w.FileUpload(accept="image/*", multiple=False, description="Upload")
        self.method = w.Dropdown(options=list(ALL_METHODS), value="mediancut", description="Method")
        self.colors = w.IntSlider(value=8, min=MIN_COLORS, max=MAX_COLORS, description="Colours C",
                                  continuous_update=False)
        self.output = w.Output()
        self.box = w.VBox([w.HBox([self.image, self.path, self.upload]), w.HBox([self.method, self.colors]),
                           self.output])
        self.path.on_submit(lambda _: self._add(self.path.value, self.path.value))
        self.upload.observe(self._on_upload, names="value")
        for widget in (self.image, self.method, self.colors):
            widget.observe(lambda _: self.update(), names="value")

    def _add(self, name: str, image: Any) -> None:
        """Add an image to the choices and select it (which updates); a bad one is reported in the output."""
        try:
            self.samples[name] = as_rgb(image)
        except (OSError, ValueError) as exc:
            self.output.clear_output()
            with self.output:
                print(f"cannot read {name!r}: {exc}")
            return
        self.image.options = list(self.samples)
        self.image.value = name

    def _on_upload(self, change: dict) -> None:
        for item in change["new"]:  # ipywidgets 8: a tuple of {name, content, ...}
            self._add(item["name"], Image.open(io.BytesIO(bytes(item["content"]))))

    def update(self) -> Panel:
        """Recompute the panel for the current choices, show it in the output area, and return it."""
        from IPython.display import display

        panel = self.explorer.panel(self.samples[self.image.value], self.method.value, self.colors.value)
        self.output.clear_output(wait=True)
        with self.output:
            display(panel)
        return panel


def build_explorer(profile: str = "cpu", dataset: str = "cifar10", classifier: str = "alexnet",
                   samples: dict[str, np.ndarray] | None = None) -> ExplorerApp:
    """The explorer's widgets (``app.box``), with the CIFAR-10 sample images to pick from by default."""
    return ExplorerApp(Explorer(profile, dataset, classifier), samples if samples is not None else sample_images())
