"""Tables and figures of the main experiment (notebooks ``01_classifiers`` to ``04_compression``), read from
the pipeline's result JSON (:func:`colorcnn_repro.experiments.pipeline.main_results`) and example images
(:func:`colorcnn_repro.experiments.examples.main_examples`); nothing here computes. Table 1 beside the paper,
the learned quantizers' margins over MedianCut, Figs. 3/11-style image grids, the train-time vs test-time
output, and the bitrate tables of Fig. 16."""
from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import numpy as np
from matplotlib.figure import Figure

from .. import paper_numbers
from ..methods import LEARNED
from ..names import METHOD_NAMES
from ..plots import accuracy_vs_bpp, accuracy_vs_colors, image_grid
from ..profiles import Experiment
from ..results import Examples, Scores, classifier_accuracy, longest_rows, read_result, result_path


def table1(ours: Mapping[tuple[str, str], float]) -> str:
    """Markdown: Table 1, ``ours`` (``{(dataset, classifier): accuracy}``, e.g.
    :func:`colorcnn_repro.experiments.pipeline.classifier_accuracies`) beside the paper."""
    return ("Accuracy (%), **ours / paper** (— : not run at this profile):\n\n"
            + cast(str, paper_numbers.table1_beside_paper(dict(ours))))


def classifier_vs_paper(exp: Experiment, result: Mapping) -> str:
    """One line: this classifier's accuracy on original images against the paper's Table 1."""
    clf = exp.config.classifier
    key = (clf.data.dataset, clf.classifier)
    mine, data = 100 * classifier_accuracy(result), result["data"]
    text = f"{key[0]} / {key[1]}: ours {mine:.1f}% ({exp.profile} profile, {data['count']} {data['split']} images)"
    if key not in paper_numbers.TABLE1:
        return text + "; not in Table 1."
    paper = paper_numbers.TABLE1[key]
    return text + f" vs paper {paper:.1f}% ({mine - paper:+.1f} points)."


def _is_table4_setting(exp: Experiment) -> bool:
    """The paper publishes per-bit numbers (Table 4) only for CIFAR100 / ResNet18."""
    clf = exp.config.classifier
    return (clf.data.dataset, clf.classifier) == ("cifar100", "resnet18")


def accuracy_figure(exp: Experiment, result: Mapping, curve: Mapping | None = None,
                    variants: Mapping[str, Mapping] | None = None) -> Figure:
    """Fig. 12: accuracy against colour-space size, the paper's Table 4 rows overlaid in their own setting, and
    the longest-trained learned quantizers of the compute ``curve`` (its result, when there is one) and of its
    ColorCNN+ ``variants`` (:func:`variant_runs`)."""
    return accuracy_vs_colors(result, paper=paper_numbers.table4_main_rows() if _is_table4_setting(exp) else None,
                              longer=longest_points(curve, variants) if curve else ())


def variant_runs(variants: Mapping[str, Mapping] | None) -> dict[str, list[dict]]:
    """The longest-trained ColorCNN+ of each variant curve (``{"L_RP gate": its curve JSON}``: the same recipe
    with one setting changed), labelled ``ColorCNN+ (L_RP gate)``: its rows at its last cycle end."""
    return {f"{label} ({name})": rows for name, c in (variants or {}).items()
            for label, rows in longest_rows(c).items() if label == "ColorCNN+"}


def bitrate_figure(result: Mapping, curve: Mapping | None = None, variants: Mapping[str, Mapping] | None = None
                   ) -> Figure:
    """Fig. 16: accuracy against the real bitrate, with the longest-trained learned quantizers of the compute
    ``curve`` (its result, when there is one) and of its ColorCNN+ ``variants`` at their own bitrate."""
    return accuracy_vs_bpp(result, longer=longest_points(curve, variants) if curve else ())


def longest_points(curve: Mapping, variants: Mapping[str, Mapping] | None = None
                   ) -> list[tuple[str, str, dict[int, Mapping]]]:
    """``(method, label, {bits: row})`` of each run's last cycle end in a compute-curve result, and of each
    variant's ColorCNN+ (:func:`variant_runs`; a row holds ``accuracy`` and ``bpp`` among others)."""
    return [(rows[0]["method"], f"{label}, {rows[0]['epochs']} epochs", {r["bits"]: r for r in rows})
            for label, rows in {**longest_rows(curve), **variant_runs(variants)}.items()]


def longest_table(result: Mapping, curve: Mapping | None, variants: Mapping[str, Mapping] | None = None) -> str:
    """Markdown: the zoo's longest-trained learned quantizers (the compute ``curve``'s last cycle ends, and its
    ColorCNN+ ``variants``', :func:`variant_runs`; evaluated by the main chain on the same images as ``result``)
    beside the main experiment's own model of each, with their leads over MedianCut and k-means (McNemar p). Says
    so when there is no curve for this setting."""
    if not curve:
        return "No compute curve for this profile and setting (notebook `14_compute_curve`): no longer-trained models."
    scores, cfg = Scores(result), result["config"]
    head = ["model", "bits", "epochs", "training hours", "accuracy", "main experiment's model", "vs MedianCut",
            "vs k-means"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for label, rows in {**longest_rows(curve), **variant_runs(variants)}.items():
        for r in rows:
            own = (f"{100 * scores.accuracy(r['method'], r['bits']):.1f}"
                   if r["method"] in scores and r["bits"] in scores.bits(r["method"]) else "—")
            hours = f"{r['train_seconds'] / 3600:.2f}" if r["train_seconds"] is not None else "?"
            lines.append(f"| {label} | {r['bits']} | {r['epochs']} | {hours} | {100 * r['accuracy']:.1f} | {own} | "
                         f"{r['lead_mediancut']:+.1f} (p={r['p_mediancut']:.1g}) | "
                         f"{r['lead_kmeans']:+.1f} (p={r['p_kmeans']:.1g}) |")
    return (f"The zoo's longest-trained learned quantizers ({curve['profile']} profile; the compute curve's last "
            "cycle ends, warm restarts whose cycles double), evaluated by the main chain on the same images, "
            f"beside the main experiment's own model (ColorCNN {cfg['colorcnn']['epochs']} epochs, ColorCNN+ "
            f"{cfg['colorcnn_plus']['epochs']}). Accuracy in %, "
            "leads in points with McNemar p. `colorcnn quantize --checkpoint <zoo tag>` uses them "
            "(`colorcnn zoo` lists the tags).\n\n" + "\n".join(lines))


def timings_table(result: Mapping) -> str:
    """Markdown: the time of each stage of the main chain as the pipeline recorded it in the evaluation
    ``result`` (its ``training`` record, summed from each model's per-epoch history, and its own ``seconds``),
    with the chain's total in hours. A stage without a record (a model saved before the pipeline kept its
    history) says so, and the total then counts the recorded stages only."""
    scores, training = Scores(result), result.get("training") or {}
    stages: list[tuple[str, Mapping | None]] = [
        (f"classifier ({result['config']['classifier']['classifier']}) training",
         training.get("classifier", {}).get("all"))]
    for method in (spec for spec in LEARNED.values() if spec.name in scores):
        records = training.get(method.name, {})
        if method.per_color:
            stages += [(f"{method.title}, C = {2**b}", records.get(str(2**b))) for b in scores.bits(method.name)]
        else:  # one model serves every C: its record repeats per C
            stages.append((f"{method.title} (every C)", next(iter(records.values()), None)))
    seconds = result.get("seconds")
    stages.append(("evaluation (every method and bit size, JPEG curve)",
                   None if seconds is None else {"seconds": seconds}))
    lines = ["| stage | epochs | images | seconds |", "|---|---|---|---|"]
    for name, t in stages:
        if t is None:
            cells = ["", "", "not recorded"]
        else:
            note = " (from images/s)" if t.get("seconds_from") == "images_per_s" else ""
            cells = [f"{t['epochs']}" if "epochs" in t else "", f"{t['images']:,.0f}" if "images" in t else "",
                     f"{t['seconds']:.1f}{note}"]
        lines.append("| " + " | ".join([name, *cells]) + " |")
    known = [t["seconds"] for _, t in stages if t is not None]
    if not known:
        total = "No stage's time is recorded (its models were saved before the pipeline kept their histories)"
    else:
        missing = len(stages) - len(known)
        total = f"Total: **{sum(known) / 3600:.2f} h**" + (
            f" (the {len(known)} recorded stages; {missing} not recorded)" if missing else "")
    where = result["device"]
    if m := result.get("machine"):
        where += f", {m['cpu_capability']}, {m['cores']} cores"
    return (f"Time of each stage of the main chain ({result['profile']} profile; evaluated on {where}), as the "
            "pipeline recorded it in the evaluation's results: each model's time is the one its training recorded, "
            "on the machine that trained it. " + total + ".\n\n" + "\n".join(lines))


#: Where a committed full retrain of a profile's main chain keeps its results (``colorcnn reproduce --retrain``),
#: under ``results/<profile>/``.
RETRAIN_FOLDER = "retrain"


def chain_timings(exp: Experiment, result: Mapping) -> str:
    """:func:`timings_table` of the evaluation ``result``, or, when ``result`` predates the pipeline's training
    record and a full retrain of the same config is committed under ``results/<profile>/retrain/``, of that
    retrain's evaluation, saying so."""
    retrain = None if "training" in result else read_result(
        result_path(exp.results / RETRAIN_FOLDER, "evaluation", exp.config))
    if retrain is None:
        return timings_table(result)
    return (f"This evaluation's models were trained before the pipeline recorded their time; a full retrain of the "
            f"same config (`colorcnn reproduce --retrain`, `results/{exp.profile}/{RETRAIN_FOLDER}/`) recorded "
            "every stage. " + timings_table(retrain))


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
    scores = Scores(result)
    ours = 100 * (scores.accuracy(method, bits) - scores.accuracy("mediancut", bits))
    sig = paper_numbers.significance_of(cast(dict, result), bits, method, "mediancut")
    return f"ours {ours:+.1f} points" + (f" (p = {sig['p']:.2g})" if sig else "")


def margins(result: Mapping) -> str:
    """Markdown: ColorCNN+ and ColorCNN minus MedianCut at the smallest and largest bit size, ours (with the
    McNemar p) beside the paper's Table 4 rows (CIFAR100 / ResNet18)."""
    paper = paper_numbers.table4_main_rows()
    scores = Scores(result)
    if "mediancut" not in scores:
        return ""
    sizes = scores.bits("mediancut")
    lines = []
    for b in (min(sizes), max(sizes)):
        for m in ("colorcnn+", "colorcnn"):
            if m not in scores:
                continue
            ref, row = paper["mediancut"].get(b), paper[m].get(b)
            theirs = f"{row - ref:+.1f} points" if row is not None and ref is not None else "not reported"
            lines.append(f"- {b} bit, {METHOD_NAMES[m]} − MedianCut: {margin_vs_mediancut(result, m, b)}, "
                         f"paper (CIFAR100/ResNet18) {theirs}")
    return "\n".join(lines)


def _colours(n: int) -> str:
    return f"{n} colour{'' if n == 1 else 's'}"


def visual_comparison(examples: Examples, title: str) -> Figure:
    """Figs. 3/11: each image by each method at each bit size (the examples' curves ``"<method> <bits>"``), with
    the colours it used."""
    return _comparison(examples, [f"{METHOD_NAMES[m]} {b} bit" for m, b in (c.split() for c in examples.quantized)],
                       title)


def longest_comparison(examples: Examples, title: str) -> Figure:
    """The compute curve's longest-trained models beside MedianCut and the main experiment's models
    (:func:`~colorcnn_repro.experiments.examples.longest_examples`, whose curves are named for display)."""
    return _comparison(examples, list(examples.quantized), title)


def _comparison(examples: Examples, columns: list[str], title: str) -> Figure:
    """Each image, then its quantization by each curve of ``examples`` (column ``columns[i]``) with the colours
    it used."""
    curves = examples.quantized.values()
    rows = {name: [examples.images[i]] + [qs[i].to_rgb() for qs in curves] for i, name in enumerate(examples.names)}
    captions = {name: [""] + [_colours(qs[i].colors_used()) for qs in curves] for i, name in enumerate(examples.names)}
    return image_grid(rows, ["original", *columns], captions, title=title)


def distinct_colours(image: np.ndarray) -> int:
    return len(np.unique(image.reshape(-1, 3), axis=0))


def soft_and_hard_figure(examples: Examples, show: int = 4) -> Figure:
    """The first ``show`` images and the learned nets' train-time and test-time outputs, with the distinct
    colours of each."""
    images, names, outputs = examples.images, examples.names, examples.outputs
    show = min(show, len(images))
    rows = {names[i]: [images[i]] + [out[i] for out in outputs.values()] for i in range(show)}
    captions = {names[i]: [_colours(distinct_colours(images[i]))]
                + [_colours(distinct_colours(out[i])) for out in outputs.values()] for i in range(show)}
    return image_grid(rows, ["original", *outputs], captions,
                      title=f"{2 ** examples.params['soft_bits']} colours: train-time vs test-time output")


def soft_and_hard_counts(examples: Examples) -> str:
    """Markdown: mean distinct colours of each output over its images."""
    outputs = examples.outputs
    n = len(next(iter(outputs.values()))) if outputs else 0
    return (f"Mean distinct colours over the first {n} images at C = {2 ** examples.params['soft_bits']}:\n\n"
            + "\n".join(f"- {k}: {np.mean([distinct_colours(img) for img in v]):.1f}" for k, v in outputs.items()))


def bitrate_notes(result: Mapping) -> str:
    """The 1-bit learned quantizers against JPEG at the paper's 0.2 bpp, and the smallest indexed PNG and JPEG
    at this image size (what makes the paper's threshold reachable or not)."""
    lines = [paper_numbers.jpeg_comparison(cast(dict, result), m, bits=1)["verdict"] for m in ("colorcnn+", "colorcnn")
             if m in Scores(result)]
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
    scores = Scores(result)
    bits = scores.bits("mediancut")
    rows = [["method", *(f"{b} bit" for b in bits)]]
    for m in paper_numbers.ordered_methods(scores.methods):
        per = scores.per_bits(m)
        rows.append([METHOD_NAMES.get(m, m),
                     *(f"{per[b]['bpp']:.3f} bpp / {100 * per[b]['accuracy']:.1f}%" for b in bits)])
    jpeg_rows = [["JPEG quality", "bpp", "accuracy (%)"]] + [
        [str(j["quality"]), f"{j['bpp']:.3f}", f"{100 * j['accuracy']:.1f}"] for j in result["jpeg"]]
    return (f"Mean bpp / accuracy over {result['data']['count']} {result['data']['split']} images, "
            f"{result['profile']} profile:\n\n" + paper_numbers.markdown_table(rows)
            + "\n\nJPEG reference:\n\n" + paper_numbers.markdown_table(jpeg_rows))


def opening_numbers(evaluation: Mapping, curve: Mapping, no_imitation: Mapping) -> list[str]:
    """Every number of the README's opening, as it prints them, from the results it cites: the main
    ``evaluation``, the compute ``curve`` (its 31-epoch rows) and the λ = 0 run's curve (``no_imitation``, 15
    epochs). Points to one decimal (without sign: the prose says above or below), raw McNemar p to two
    significant digits (``p = 0.0011``). The README test checks that each appears there."""
    scores, sig = Scores(evaluation), evaluation["significance"]

    def lead(a: float, b: float) -> str:
        return f"{abs(100 * (a - b)):.1f}"

    def p(value: float) -> str:
        return f"p = {value:.2g}"

    def row(c: Mapping, label: str, epochs: int, bits: int) -> Mapping:
        return next(r for r in c["rows"] if (r["model"], r["epochs"], r["bits"]) == (label, epochs, bits))

    out = [lead(scores.accuracy("colorcnn", 1), scores.accuracy("mediancut", 1)),
           p(sig["1"]["mediancut vs colorcnn"]["p"])]
    for b in (1, 2):
        out += [f"+{lead(scores.accuracy('colorcnn+', b), scores.accuracy('mediancut', b))}",
                f"{sig[str(b)]['mediancut vs colorcnn+']['p']:.2g}"]
    one, two = row(curve, "ColorCNN C=2", 31, 1), row(curve, "ColorCNN C=4", 31, 2)
    out += [f"{one['lead_mediancut']:.1f}", p(one["p_mediancut"]), f"{one['lead_kmeans']:.1f}", p(one["p_kmeans"]),
            f"{two['lead_mediancut']:.1f}", p(two["p_mediancut"]),
            lead(scores.accuracy("libimagequant", 2), two["accuracy"])]
    plus = [row(curve, "ColorCNN+", 31, b) for b in (1, 2, 6)]
    out += [f"{abs(r['lead_mediancut']):.1f}" for r in plus] + [f"{r['p_mediancut']:.2g}" for r in plus]
    free = [row(no_imitation, "ColorCNN+", 15, b) for b in (1, 6)]
    out += [x for r in free for x in (f"{abs(r['lead_mediancut']):.1f}", p(r["p_mediancut"]))]
    return out
