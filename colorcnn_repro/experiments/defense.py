"""Studies beyond the accuracy grid: adversarial defense (Sec. 4.4) and class activation maps (Fig. 1).

Both load the experiment's frozen classifier and learned quantizers (training whatever is missing through
:func:`~.pipeline.main_results`), run on a class-balanced subset of the evaluation split and write JSON
under ``results/<profile>/``; a result is reused unless ``force`` or its study parameters changed.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from ..config import ExperimentConfig
from ..data import ImageArrays
from ..evaluation.adversarial import adversarial_defense
from ..evaluation.cam import cam_panels, feature_map_shape
from ..methods import LEARNED
from ..models import NormalizedClassifier
from ..paths import DataRoot
from ..profiles import Experiment, resolve
from ..results import Scores, read_result, result_path
from ..study_settings import ADVERSARIAL_DEFAULTS, STUDY_IMAGES
from ..training.loops import ensure_classifier, frozen_classifier, load_split
from .pipeline import main_results, trained_quantizers, write_result


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj))


def _load(exp: Experiment, limit: int | None, root: DataRoot, device: str | None, bits: tuple[int, ...],
          methods: tuple[str, ...]) -> tuple[ExperimentConfig, NormalizedClassifier, ImageArrays, dict]:
    """(evaluation config, frozen classifier, evaluation subset, {method: {C: net}}) with every model trained."""
    main_results(exp, root, device)
    cfg = exp.config
    clf = ensure_classifier(cfg.classifier, root, device)
    n = limit if limit is not None else STUDY_IMAGES.get(exp.profile, 500)
    data = load_split(cfg.classifier.data, cfg.split, root, n)
    learned = tuple(m for m in methods if m in LEARNED)
    for m in learned:
        if LEARNED[m].per_color and (missing := sorted(set(bits) - set(cfg.bits))):
            raise ValueError(f"{LEARNED[m].title} is trained for bits {cfg.bits} only (one model per C); "
                             f"bits {missing} were asked for")
    quantizers = trained_quantizers(replace(cfg, bits=tuple(bits)), learned, root, device) if learned else {}
    return cfg, clf, data, quantizers


def _default_bits(cfg_bits: tuple[int, ...], wanted: tuple[int, ...]) -> tuple[int, ...]:
    picked = tuple(b for b in wanted if b in cfg_bits)
    return picked or tuple(cfg_bits)


def adversarial_study(profile: str = "cpu", overrides: dict | None = None, force: bool = False, *,
                      eps_list: tuple[float, ...] | None = None, attacks: tuple[str, ...] = ("fgsm", "pgd"),
                      colors: tuple[int, ...] | None = None,
                      methods: tuple[str, ...] = ("mediancut", "colorcnn", "colorcnn+"),
                      jpeg_qualities: tuple[int, ...] | None = None, pgd_steps: int | None = None,
                      pgd_step: float | None = None, random_start: bool = True,
                      surrogate: str = "straight_through", bpda_classical: bool = True,
                      limit: int | None = None, seed: int = 0, root: DataRoot = None,
                      device: str | None = None) -> dict:
    """Accuracy under FGSM/PGD (ε in /255) with no defense, colour quantization (``methods`` at ``colors``)
    or JPEG, in both threat models of :mod:`~colorcnn_repro.evaluation.adversarial`. Settings left at None
    take the profile's :data:`~colorcnn_repro.study_settings.ADVERSARIAL_DEFAULTS` (colour counts: those of its
    ``bits`` that the experiment trains). Writes ``results/<profile>/adversarial-….json``."""
    exp = resolve(profile, overrides)
    cfg = exp.config
    defaults = ADVERSARIAL_DEFAULTS.get(profile, ADVERSARIAL_DEFAULTS["cpu"])
    eps_list = defaults["eps_list"] if eps_list is None else eps_list
    pgd_steps = defaults["pgd_steps"] if pgd_steps is None else pgd_steps
    jpeg_qualities = defaults["jpeg_qualities"] if jpeg_qualities is None else jpeg_qualities
    methods = tuple(m for m in methods if m in cfg.methods or m not in LEARNED)
    bits = (tuple(int(np.log2(c)) for c in colors) if colors is not None
            else _default_bits(cfg.bits, defaults["bits"]))
    if colors is not None and any(2**b != c for b, c in zip(bits, colors)):
        raise ValueError(f"colour counts must be powers of two, got {colors}")
    params = _jsonable(dict(eps_list=eps_list, attacks=attacks, colors=[2**b for b in bits], methods=methods,
                            jpeg_qualities=jpeg_qualities, pgd_steps=pgd_steps, pgd_step=pgd_step,
                            random_start=random_start, surrogate=surrogate, bpda_classical=bpda_classical,
                            limit=limit if limit is not None else STUDY_IMAGES.get(profile, 500), seed=seed))
    path = result_path(exp.results, "adversarial", cfg)
    if (hit := read_result(path, force)) is not None and hit.get("params") == params:
        return hit
    cfg, clf, data, nets = _load(exp, params["limit"], root, device, bits, methods)
    body = adversarial_defense(clf, data, nets, eps_list=tuple(eps_list), colors=tuple(params["colors"]),
                               attacks=tuple(attacks), methods=methods, jpeg_qualities=tuple(jpeg_qualities),
                               pgd_steps=pgd_steps, pgd_step=pgd_step, random_start=random_start,
                               surrogate=surrogate, bpda_classical=bpda_classical, batch_size=cfg.batch_size,
                               seed=seed)
    return write_result(path, exp.profile, cfg, {"data": data.describe(), "params": params, **body})


def _panel_json(panel: Mapping) -> dict:
    out = {"confidence": panel["confidence"].tolist(), "prediction": panel["prediction"].tolist(),
           "mean_confidence": float(panel["confidence"].mean())}
    if "agreement" in panel:
        out["agreement"] = panel["agreement"].tolist()
        out["mean_agreement"] = float(panel["agreement"].mean())
    return out


def _subset_panels(panels: dict, idx: np.ndarray) -> dict:
    def sub(p: Mapping) -> dict:
        return {k: v[idx] for k, v in p.items()}

    return {"target": panels["target"][idx], "original": sub(panels["original"]),
            "methods": Scores(panels).map(sub)}


def cam_study(profile: str = "cpu", overrides: dict | None = None, n_images: int | None = None,
              force: bool = False, *, methods: tuple[str, ...] = ("mediancut", "colorcnn+"),
              bits: tuple[int, ...] = (1, 2, 4), n_show: int = 4, root: DataRoot = None,
              device: str | None = None) -> dict:
    """Fig. 1 on ``n_images`` evaluation images: ground-truth confidence and Grad-CAM agreement with the
    original image's map for every method at 2**bits colours. Writes ``results/<profile>/cam-….json``
    (per-image confidences, predictions and agreements, and their means; single-label data).

    Returns that JSON plus ``"panels"``: images and maps (as :func:`~colorcnn_repro.evaluation.cam.cam_panels`)
    of ``n_show`` images for the figure — the first images of the subset the classifier gets right on the
    original (as in Fig. 1 (a)), topped up with the next ones if fewer are right. Not cherry-picked further."""
    exp = resolve(profile, overrides)
    cfg = exp.config
    n = n_images if n_images is not None else STUDY_IMAGES.get(profile, 500)
    params = _jsonable(dict(methods=methods, bits=bits, n_images=n, n_show=n_show))
    path = result_path(exp.results, "cam", cfg)
    cfg, clf, data, nets = _load(exp, n, root, device, bits, methods)
    hit = read_result(path, force)
    if hit is not None and hit.get("params") == params:
        show = np.asarray(hit["shown"], dtype=np.int64)
        panels = cam_panels(clf, data.images[show], data.labels[show], methods, bits, nets, cfg.batch_size)
        return {**hit, "panels": panels}
    panels = cam_panels(clf, data.images, data.labels, methods, bits, nets, cfg.batch_size)
    correct = panels["original"]["prediction"] == panels["target"]
    order = np.concatenate([np.flatnonzero(correct), np.flatnonzero(~correct)])
    show = np.sort(order[:n_show])
    body = {"data": data.describe(), "classes": list(data.classes), "params": params, "shown": show.tolist(),
            "target": panels["target"].tolist(), "original": _panel_json(panels["original"]),
            "methods": Scores(panels).map(_panel_json)}
    out = write_result(path, exp.profile, cfg, body)
    return {**out, "panels": _subset_panels(panels, show)}


def cam_feature_map(result: Mapping, profile: str, overrides: dict | None = None) -> tuple[int, int, int]:
    """(channels, height, width) of the feature map Grad-CAM works on for the CAM study's images (``result``),
    from ``profile``'s classifier with ``overrides`` (loaded, never trained)."""
    h, w = result["data"]["image_size"]
    return feature_map_shape(frozen_classifier(resolve(profile, overrides).config.classifier), h, w)
