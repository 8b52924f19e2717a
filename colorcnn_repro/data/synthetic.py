"""Tiny synthetic datasets written in exactly the official on-disk formats, for smoke runs and tests when
the real data is not on the machine.

* :func:`make_smoke_voc` writes a Pascal VOC 2012 tree (``VOCdevkit/VOC2012/{JPEGImages, Annotations,
  ImageSets/Main}``) whose images hold 1–3 coloured shapes, one per object, with matching XML annotations:
  a multi-label set the ``voc2012`` reader loads unchanged.
* :func:`make_smoke_folder` writes a class-per-folder set (``{train,val,test}/<class>/*.jpg``) of
  "stylized" images: a class-specific shape painted over a random stripe/checker texture with a random
  palette (the style), the layout of a Style14-like Stylized-ImageNet subset.

The contents are deterministic (seeded), so models trained on them are reproducible and keyed by config.
:func:`register_synthetic_datasets` adds them to :data:`~colorcnn_repro.data.loader.SOURCES` under their own
names (``voc2012-synthetic``, ``style14-synthetic``), read by the official readers at a small image size;
the distinct names keep their configs, trained models and result files apart from the real datasets'.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ..paths import cache_root
from .others import VOC_CLASSES, folder_has_val, read_folder, read_voc2012

SMOKE_IMAGE_SIZE = 32
VOC_SYNTHETIC = "voc2012-synthetic"
FOLDER_SYNTHETIC = "style14-synthetic"
STYLE14_LIKE_CLASSES = (
    "bear", "bicycle", "bird", "boat", "bottle", "car", "cat", "chair", "chicken", "clock", "dog", "elephant",
    "keyboard", "truck",
)
SHAPES = ("rectangle", "ellipse", "triangle", "cross")


def _class_color(k: int, n: int) -> tuple[int, int, int]:
    """A distinct saturated colour per class (hue wheel, alternating brightness)."""
    import colorsys

    r, g, b = colorsys.hsv_to_rgb(k / n, 0.9, 1.0 if k % 2 == 0 else 0.6)
    return int(255 * r), int(255 * g), int(255 * b)


def _draw_shape(draw: ImageDraw.ImageDraw, shape: str, box: tuple[int, int, int, int], fill) -> None:
    x0, y0, x1, y1 = box
    if shape == "rectangle":
        draw.rectangle(box, fill=fill)
    elif shape == "ellipse":
        draw.ellipse(box, fill=fill)
    elif shape == "triangle":
        draw.polygon([((x0 + x1) // 2, y0), (x1, y1), (x0, y1)], fill=fill)
    else:
        w, h = (x1 - x0) // 3, (y1 - y0) // 3
        draw.rectangle((x0 + w, y0, x1 - w, y1), fill=fill)
        draw.rectangle((x0, y0 + h, x1, y1 - h), fill=fill)


def _background(rng: np.random.Generator, width: int, height: int) -> Image.Image:
    """A smooth random gradient with mild noise (JPEG-friendly, never flat)."""
    c0, c1 = rng.integers(40, 216, size=(2, 3))
    t = np.linspace(0.0, 1.0, width)[None, :, None]
    grad = (1 - t) * c0 + t * c1
    noise = rng.normal(0, 6, size=(height, width, 3))
    return Image.fromarray(np.clip(grad + noise, 0, 255).astype(np.uint8))


def _voc_annotation(image_id: str, size: tuple[int, int], objects: list[tuple[str, tuple[int, ...]]]) -> str:
    """An annotation in the official VOC XML schema (folder, filename, source, size, segmented, objects)."""
    width, height = size
    body = "".join(
        f"\t<object>\n\t\t<name>{name}</name>\n\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n"
        f"\t\t<difficult>0</difficult>\n\t\t<bndbox>\n\t\t\t<xmin>{x0 + 1}</xmin>\n\t\t\t<ymin>{y0 + 1}</ymin>\n"
        f"\t\t\t<xmax>{x1 + 1}</xmax>\n\t\t\t<ymax>{y1 + 1}</ymax>\n\t\t</bndbox>\n\t</object>\n"
        for name, (x0, y0, x1, y1) in objects
    )
    return (
        f"<annotation>\n\t<folder>VOC2012</folder>\n\t<filename>{image_id}.jpg</filename>\n"
        f"\t<source>\n\t\t<database>The VOC2008 Database</database>\n\t\t<annotation>PASCAL VOC2008</annotation>\n"
        f"\t\t<image>flickr</image>\n\t</source>\n"
        f"\t<size>\n\t\t<width>{width}</width>\n\t\t<height>{height}</height>\n\t\t<depth>3</depth>\n\t</size>\n"
        f"\t<segmented>0</segmented>\n{body}</annotation>\n"
    )


def make_smoke_voc(root: str | Path, n_train: int = 96, n_val: int = 48, size: tuple[int, int] = (48, 40),
                   seed: int = 0) -> Path:
    """Write a tiny Pascal VOC 2012 under ``root/VOCdevkit/VOC2012`` and return ``root``.

    Images (``size`` = width × height, JPEG) hold 1–3 objects; each object of class k is drawn as
    ``SHAPES[k % 4]`` in class k's colour, and annotated with its class and bounding box. ``train.txt``,
    ``val.txt`` and ``trainval.txt`` list the ids as in the official ``ImageSets/Main``.
    """
    root = Path(root)
    folder = root / "VOCdevkit" / "VOC2012"
    for sub in ("JPEGImages", "Annotations", "ImageSets/Main"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    width, height = size
    n_classes = len(VOC_CLASSES)
    ids: dict[str, list[str]] = {"train": [], "val": []}
    for split, count in (("train", n_train), ("val", n_val)):
        for i in range(count):
            image_id = f"2012_{(0 if split == 'train' else 500000) + i:06d}"
            image = _background(rng, width, height)
            draw = ImageDraw.Draw(image)
            objects: list[tuple[str, tuple[int, ...]]] = []
            first = i % n_classes  # every class appears, round robin
            others = rng.choice(n_classes, size=int(rng.integers(0, 3)), replace=False).tolist()
            for k in dict.fromkeys([first, *others]):
                w, h = int(rng.integers(width // 3, width // 2 + 1)), int(rng.integers(height // 3, height // 2 + 1))
                x0, y0 = int(rng.integers(0, width - w)), int(rng.integers(0, height - h))
                box = (x0, y0, x0 + w - 1, y0 + h - 1)
                _draw_shape(draw, SHAPES[k % len(SHAPES)], box, _class_color(k, n_classes))
                objects.append((VOC_CLASSES[k], box))
            image.save(folder / "JPEGImages" / f"{image_id}.jpg", quality=92)
            (folder / "Annotations" / f"{image_id}.xml").write_text(_voc_annotation(image_id, size, objects))
            ids[split].append(image_id)
    main = folder / "ImageSets" / "Main"
    (main / "train.txt").write_text("\n".join(ids["train"]) + "\n")
    (main / "val.txt").write_text("\n".join(ids["val"]) + "\n")
    (main / "trainval.txt").write_text("\n".join(ids["train"] + ids["val"]) + "\n")
    return root


def _style_texture(rng: np.random.Generator, size: int) -> np.ndarray:
    """A random "artistic style": stripes or checks at a random angle and period in a random 3-colour palette."""
    palette = rng.integers(0, 256, size=(3, 3))
    yy, xx = np.mgrid[:size, :size].astype(np.float64)
    angle, period = rng.uniform(0, np.pi), rng.uniform(3, 9)
    u = (np.cos(angle) * xx + np.sin(angle) * yy) / period
    if rng.random() < 0.5:
        level = np.floor(u).astype(int) % 3
    else:
        v = (-np.sin(angle) * xx + np.cos(angle) * yy) / period
        level = (np.floor(u).astype(int) + np.floor(v).astype(int)) % 3
    return palette[level].astype(np.float64)


def make_smoke_folder(root: str | Path, classes: tuple[str, ...] = STYLE14_LIKE_CLASSES,
                      per_split: dict[str, int] | None = None, size: int = SMOKE_IMAGE_SIZE, seed: int = 0) -> Path:
    """Write a tiny class-per-folder set ``root/{train,val,test}/<class>/<n>.jpg`` and return ``root``.

    Class k is a shape (``SHAPES[k % 4]``) of a class-specific size and brightness, painted over a random
    stripe/checker texture (the style) and blended with it, so that shape survives and colour alone does
    not identify the class. ``per_split``: images per class and split (default 12 / 3 / 3).
    """
    root = Path(root)
    per_split = per_split or {"train": 12, "val": 3, "test": 3}
    rng = np.random.default_rng(seed)
    for split, count in per_split.items():
        for k, name in enumerate(classes):
            (root / split / name).mkdir(parents=True, exist_ok=True)
            for i in range(count):
                texture = _style_texture(rng, size)
                mask_img = Image.new("L", (size, size), 0)
                extent = size // 2 + (k // len(SHAPES)) * size // 10
                x0, y0 = (int(v) for v in rng.integers(0, size - extent + 1, size=2))
                _draw_shape(ImageDraw.Draw(mask_img), SHAPES[k % len(SHAPES)],
                            (x0, y0, x0 + extent - 1, y0 + extent - 1), 255)
                mask = np.asarray(mask_img, dtype=np.float64)[..., None] / 255
                shade = 255.0 if k % 2 == 0 else 0.0
                image = texture * (1 - 0.7 * mask) + shade * 0.7 * mask
                Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(root / split / name / f"{i:04d}.jpg",
                                                                              quality=92)
    return root


def synthetic_root(name: str) -> Path:
    """Where a synthetic dataset is written by default: ``$COLORCNN_CACHE/synthetic/<name>``."""

    return cache_root() / "synthetic" / name


def _locator(name: str, complete: str, make):
    """A ``Source.locate``: ``root`` (or the default synthetic root), written first if ``complete`` is absent
    (a new root is written to a temporary sibling and renamed, so it is never seen half-written)."""
    def locate(root: str | Path | None) -> Path:
        where = Path(root).expanduser().absolute() if root is not None else synthetic_root(name)
        if (where / complete).exists():
            return where
        if where.exists():
            make(where)
            return where
        tmp = where.with_name(f"{where.name}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        make(tmp)
        try:
            os.replace(tmp, where)
        except OSError:  # written meanwhile by another process
            shutil.rmtree(tmp, ignore_errors=True)
        return where

    return locate


def register_synthetic_datasets() -> tuple[str, str]:
    """Make ``voc2012-synthetic`` and ``style14-synthetic`` loadable by :func:`load_dataset` (idempotent).

    Both are read by the official readers (``read_voc2012``, ``read_folder``) and resized to
    ``SMOKE_IMAGE_SIZE``; ``root=None`` means the default synthetic root, written on first use.
    """
    from .loader import SOURCES, Source

    SOURCES.setdefault(VOC_SYNTHETIC, Source(
        read_voc2012, has_val=lambda where: True, image_size=SMOKE_IMAGE_SIZE,
        locate=_locator(VOC_SYNTHETIC, "VOCdevkit/VOC2012/ImageSets/Main/val.txt", make_smoke_voc)))
    SOURCES.setdefault(FOLDER_SYNTHETIC, Source(
        read_folder, has_val=folder_has_val, image_size=SMOKE_IMAGE_SIZE,
        locate=_locator(FOLDER_SYNTHETIC, "test", make_smoke_folder)))
    return VOC_SYNTHETIC, FOLDER_SYNTHETIC
