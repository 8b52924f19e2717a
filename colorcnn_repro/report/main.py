"""Tables and figures of the main experiment (notebooks ``01_classifiers`` to ``04_compression``), read from
the pipeline's result JSON (:func:`colorcnn_repro.experiments.pipeline.main_results`) or drawn from the
evaluation images: Table 1 beside the paper, the learned quantizers' margins over MedianCut, Figs. 2/3/11-style
image grids, the train-time vs test-time output, and the bitrate tables of Fig. 16."""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import cast

import numpy as np
import torch
from matplotlib.figure import Figure

from ..data import ImageArrays
from ..evaluation.grid import quantize_images
from ..experiments import paper_numbers
from ..experiments.pipeline import classifier_stage, learned_nets, result_path
from ..models import ColorQuantizerNet
from ..plots import accuracy_vs_colors, image_grid
from ..profiles import Experiment, resolve
from ..quantizers import LEARNED_METHODS
from ..training.loops import load_split

METHOD_NAMES = paper_numbers.METHOD_NAMES


def table1(exp: Experiment, result: Mapping, overrides: Mapping | None = None, train_missing: bool = False) -> str:
    """Markdown: Table 1, ours beside the paper, for every dataset × classifier of the paper: this experiment's
    classifier from ``result``, the others from their cached results at the same profile (with ``overrides``),
    trained first when ``train_missing``."""
    clf = exp.config.classifier
    ours = {(clf.data.dataset, clf.classifier): result["metrics"]["accuracy"]}
    for d in paper_numbers.DATASETS:
        for c in paper_numbers.CLASSIFIERS:
            if (d, c) in ours:
                continue
            cell = resolve(exp.profile, {**(overrides or {}), "dataset": d, "classifier.classifier": c})
            path = result_path(cell.results, "classifier", cell.config.classifier)
            if path.exists():
                ours[d, c] = json.loads(path.read_text())["metrics"]["accuracy"]
            elif train_missing:
                ours[d, c] = classifier_stage(cell)["metrics"]["accuracy"]
    return ("Accuracy (%), **ours / paper** (— : not run at this profile):\n\n"
            + cast(str, paper_numbers.table1_beside_paper(ours)))


def classifier_vs_paper(exp: Experiment, result: Mapping) -> str:
    """One line: this classifier's accuracy on original images against the paper's Table 1."""
    clf = exp.config.classifier
    key = (clf.data.dataset, clf.classifier)
    mine, data = 100 * result["metrics"]["accuracy"], result["data"]
    text = f"{key[0]} / {key[1]}: ours {mine:.1f}% ({exp.profile} profile, {data['count']} {data['split']} images)"
    if key not in paper_numbers.TABLE1:
        return text + "; not in Table 1."
    paper = paper_numbers.TABLE1[key]
    return text + f" vs paper {paper:.1f}% ({mine - paper:+.1f} points)."


def _is_table4_setting(exp: Experiment) -> bool:
    """The paper publishes per-bit numbers (Table 4) only for CIFAR100 / ResNet18."""
    clf = exp.config.classifier
    return (clf.data.dataset, clf.classifier) == ("cifar100", "resnet18")


def accuracy_figure(exp: Experiment, result: Mapping) -> Figure:
    """Fig. 12: accuracy against colour-space size, the paper's Table 4 rows overlaid in their own setting."""
    return accuracy_vs_colors(result, paper=paper_numbers.table4_main_rows() if _is_table4_setting(exp) else None)


def accuracy_table(exp: Experiment, result: Mapping) -> str:
    """Markdown: accuracy per method and bit size with McNemar p against MedianCut, beside the paper's Table 4
    rows (MedianCut, ColorCNN, ColorCNN+ λ=3), saying when those are another dataset and classifier."""
    clf, data = exp.config.classifier, result["data"]
    return (f"Accuracy (%) per method and colour-space size, ours ({clf.data.dataset} / {clf.classifier}, "
            f"{exp.profile} profile, {data['count']} {data['split']} images) with McNemar p-values against "
            "MedianCut, and the paper's Table 4 rows (MedianCut, ColorCNN, ColorCNN+ λ=3) — those are "
            "**CIFAR100 / ResNet18 on the 10,000 test images**"
            + ("." if _is_table4_setting(exp) else ", a different dataset and classifier from ours: compare trends, "
               "not values.")
            + "\n\n" + cast(str, paper_numbers.table_beside_paper(cast(dict, result),
                                                                 paper_numbers.table4_main_rows())))


def margin_vs_mediancut(result: Mapping, method: str, bits: int) -> str:
    """``ours +x.x points (p = …)``: ``method`` minus MedianCut at ``bits`` in a result (or a study variant),
    with the McNemar p when the result has it."""
    per = result["methods"]
    ours = 100 * (per[method][str(bits)]["accuracy"] - per["mediancut"][str(bits)]["accuracy"])
    sig = paper_numbers.significance_of(cast(dict, result), bits, method, "mediancut")
    return f"ours {ours:+.1f} points" + (f" (p = {sig['p']:.2g})" if sig else "")


def margins(result: Mapping) -> str:
    """Markdown: ColorCNN+ and ColorCNN minus MedianCut at the smallest and largest bit size, ours (with the
    McNemar p) beside the paper's Table 4 rows (CIFAR100 / ResNet18)."""
    paper = paper_numbers.table4_main_rows()
    methods = result["methods"]
    if "mediancut" not in methods:
        return ""
    sizes = [int(k) for k in methods["mediancut"]]
    lines = []
    for b in (min(sizes), max(sizes)):
        for m in ("colorcnn+", "colorcnn"):
            if m not in methods:
                continue
            ref, row = paper["mediancut"].get(b), paper[m].get(b)
            theirs = f"{row - ref:+.1f} points" if row is not None and ref is not None else "not reported"
            lines.append(f"- {b} bit, {METHOD_NAMES[m]} − MedianCut: {margin_vs_mediancut(result, m, b)}, "
                         f"paper (CIFAR100/ResNet18) {theirs}")
    return "\n".join(lines)


def first_images(exp: Experiment, n: int) -> tuple[ImageArrays, list[str]]:
    """The first ``n`` evaluation images of the experiment and their row names (index: class)."""
    cfg = exp.config
    data = load_split(cfg.classifier.data, cfg.split, None, cfg.limit)
    names = [f"{i}: {data.classes[int(data.labels[i])]}" if not data.multilabel else str(i)
             for i in range(min(n, len(data)))]
    return data, names


def learned(exp: Experiment, methods: Sequence[str]) -> dict[str, dict[int, ColorQuantizerNet]]:
    """``{method: {C: net}}`` of the learned methods among ``methods`` that the experiment trains."""
    cfg = exp.config
    return learned_nets(cfg, tuple(m for m in LEARNED_METHODS if m in cfg.methods and m in methods))


def _colours(n: int) -> str:
    return f"{n} colour{'' if n == 1 else 's'}"


def visual_comparison(images: np.ndarray, names: Sequence[str], nets: Mapping[str, Mapping[int, ColorQuantizerNet]],
                      methods: Sequence[str], bits: Sequence[int], title: str) -> Figure:
    """Figs. 3/11: each image by each method at each bit size, with the colours it used; learned methods
    without a net in ``nets`` are left out."""
    methods = [m for m in methods if m not in LEARNED_METHODS or m in nets]
    sets = {(m, b): quantize_images(images, m, 2**b, {m: nets[m][2**b]} if m in nets else {})
            for m in methods for b in bits}
    rows = {name: [images[i]] + [sets[m, b].rgb()[i] for m in methods for b in bits] for i, name in enumerate(names)}
    captions = {name: [""] + [_colours(sets[m, b].item(i).colors_used()) for m in methods for b in bits]
                for i, name in enumerate(names)}
    cols = ["original"] + [f"{METHOD_NAMES[m]} {b} bit" for m in methods for b in bits]
    return image_grid(rows, cols, captions, title=title)


def distinct_colours(image: np.ndarray) -> int:
    return len(np.unique(image.reshape(-1, 3), axis=0))


def soft_and_hard(images: np.ndarray, nets: Mapping[str, Mapping[int, ColorQuantizerNet]],
                  colors: int) -> dict[str, np.ndarray]:
    """``{label: uint8 images}``: each learned net's train-time (soft, Eq. 4) and test-time (hard) output."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float().div(255)
    outputs = {}
    with torch.no_grad():
        for m in ("colorcnn", "colorcnn+"):
            if m not in nets:
                continue
            net = nets[m][colors].eval()
            xd = x.to(next(net.parameters()).device)
            for label, hard in (("train-time (soft)", False), ("test-time", True)):
                out = net(xd, colors, hard=hard).image.clamp(0, 1).permute(0, 2, 3, 1).cpu().numpy()
                outputs[f"{METHOD_NAMES[m]} {label}"] = (out * 255).round().astype(np.uint8)
    return outputs


def soft_and_hard_figure(images: np.ndarray, names: Sequence[str], outputs: Mapping[str, np.ndarray],
                         colors: int, show: int = 4) -> Figure:
    """The first ``show`` images and their :func:`soft_and_hard` outputs, with the distinct colours of each."""
    show = min(show, len(images))
    rows = {names[i]: [images[i]] + [out[i] for out in outputs.values()] for i in range(show)}
    captions = {names[i]: [_colours(distinct_colours(images[i]))]
                + [_colours(distinct_colours(out[i])) for out in outputs.values()] for i in range(show)}
    return image_grid(rows, ["original", *outputs], captions,
                      title=f"{colors} colours: train-time vs test-time output")


def soft_and_hard_counts(outputs: Mapping[str, np.ndarray], colors: int) -> str:
    """Markdown: mean distinct colours of each output over its images."""
    n = len(next(iter(outputs.values()))) if outputs else 0
    return (f"Mean distinct colours over the first {n} images at C = {colors}:\n\n"
            + "\n".join(f"- {k}: {np.mean([distinct_colours(img) for img in v]):.1f}" for k, v in outputs.items()))


def bitrate_notes(result: Mapping) -> str:
    """The 1-bit learned quantizers against JPEG at the paper's 0.2 bpp, and the smallest indexed PNG and JPEG
    at this image size (what makes the paper's threshold reachable or not)."""
    lines = [paper_numbers.jpeg_comparison(cast(dict, result), m, bits=1)["verdict"] for m in ("colorcnn+", "colorcnn")
             if m in result["methods"]]
    height, width = result["data"]["image_size"]
    png_floor = paper_numbers.smallest_indexed_png_bpp(height, width)
    jpeg_floor = paper_numbers.smallest_jpeg_bpp(height, width)
    lines.append(f"smallest possible indexed PNG at {height}×{width}: {png_floor:.3f} bpp "
                 f"({png_floor * height * width / 8:.0f} bytes, one flat colour); smallest JPEG: {jpeg_floor:.3f} bpp")
    lines.append(f"the paper's 0.2 bpp threshold is {'below' if png_floor > 0.2 else 'above'} the PNG container "
                 "floor at this image size")
    return "\n".join(lines)


def bitrate_table(result: Mapping) -> str:
    """Markdown: mean bpp / accuracy of every method at every bit size, and the JPEG reference."""
    bits = sorted(int(b) for b in result["methods"]["mediancut"])
    rows = [["method", *(f"{b} bit" for b in bits)]]
    for m in paper_numbers.ordered_methods(result["methods"]):
        per = result["methods"][m]
        rows.append([METHOD_NAMES.get(m, m),
                     *(f"{per[str(b)]['bpp']:.3f} bpp / {100 * per[str(b)]['accuracy']:.1f}%" for b in bits)])
    jpeg_rows = [["JPEG quality", "bpp", "accuracy (%)"]] + [
        [str(j["quality"]), f"{j['bpp']:.3f}", f"{100 * j['accuracy']:.1f}"] for j in result["jpeg"]]
    return (f"Mean bpp / accuracy over {result['data']['count']} {result['data']['split']} images, "
            f"{result['profile']} profile:\n\n" + paper_numbers.markdown_table(rows)
            + "\n\nJPEG reference:\n\n" + paper_numbers.markdown_table(jpeg_rows))
