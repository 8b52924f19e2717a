"""The compute curve's table, trend summary and figure (notebook ``14_compute_curve``), read from the JSON of
:func:`colorcnn_repro.experiments.compute_curve.compute_curve`."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..imitation_schedule import CHOOSE_AT, winner
from ..plots import style
from ..stats import noise_band

REFERENCE_NAMES = {"mediancut": "MedianCut", "kmeans": "k-means"}


def _data_note(result: Mapping) -> str:
    rows = result["rows"]
    n = rows[0]["n_images"] if rows else "?"
    return f"{result['profile']} profile, {n} validation images"


def curve_table(result: Mapping) -> str:
    """Markdown table: per model, cycle end and bit size, training images and hours, accuracy (%), and the lead
    (points) over each reference with its McNemar p."""
    refs = result["references"]
    head = ["model", "epochs", "bits", "training images", "hours", "accuracy",
            *(f"vs {REFERENCE_NAMES[r]}" for r in refs)]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for r in result["rows"]:
        hours = f"{r['train_seconds'] / 3600:.2f}" if r["train_seconds"] is not None else ""
        images = f"{r['images']:,.0f}" if r["images"] is not None else ""
        leads = [f"{r[f'lead_{ref}']:+.1f} (p={r[f'p_{ref}']:.1g})" for ref in refs]
        lines.append(f"| {r['model']} | {r['epochs']} | {r['bits']} | {images} | {hours} | "
                     f"{100 * r['accuracy']:.1f} | " + " | ".join(leads) + " |")
    pending = "".join(f"\n- not trained yet: {p['model']}, {p['epochs']} epochs" for p in result["pending"])
    return (f"Accuracy (%) and lead over each classical method (points, McNemar p) on the same images "
            f"({_data_note(result)}); hours are the run's own training time up to that cycle end.\n\n"
            + "\n".join(lines) + pending)


def trend_table(result: Mapping) -> str:
    """Markdown table of the fitted trends: slope per tenfold training images (± standard error), the lead the
    line predicts at the paper's budget (95 % interval of the fitted mean), the images it takes to reach +5
    and +10, and the gain of the last doubling."""
    head = ["model", "bits", "vs", "points", "slope per 10× images", "at the paper's budget", "images for +5",
            "images for +10", "last cycle's gain (line's)"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]

    def images(x: float | None) -> str:
        return "never (slope ≤ 0)" if x is None else f"{x:.2g}"

    for t in result["trends"]:
        last = f"{t['last_gain']:+.1f}" if "last_gain" in t else ""
        if "last_gain_predicted" in t:
            last += f" ({t['last_gain_predicted']:+.1f})"
        if "slope" not in t:
            lines.append(f"| {t['model']} | {t['bits']} | {REFERENCE_NAMES[t['reference']]} | {t['points']} | "
                         f"(fewer than 3 points) | | | | {last} |")
            continue
        lo, hi = t["at_paper_ci"]
        lines.append(
            f"| {t['model']} | {t['bits']} | {REFERENCE_NAMES[t['reference']]} | {t['points']} | "
            f"{t['slope']:+.2f} ± {t['slope_se']:.2f} | {t['at_paper']:+.1f} [{lo:+.1f}, {hi:+.1f}] at "
            f"{t['paper_images']:.2g} | {images(t['images_for']['5.0'])} | {images(t['images_for']['10.0'])} | "
            f"{last} |")
    return ("Lead (points) against log10(training images), least squares over the cycle ends: a straight line in "
            "log images is a lead that grows by a fixed amount per doubling of the training. Standard errors and "
            "95 % intervals use the larger of the scatter about the line and each point's own sampling noise "
            "(from its McNemar p): the points share the evaluation images and one run, so the scatter alone "
            "would understate them. An interval at the paper's budget extrapolates the line; it cannot see a "
            "bend that has not started. The last column is the last cycle's gain beside the line's prediction "
            "for it; a smaller gain says the curve is bending.\n\n" + "\n".join(lines))


def training_split_table(check: Mapping, result: Mapping) -> str:
    """Markdown: each run's accuracy and lead over MedianCut at each cycle end on training images (``check``,
    :func:`~colorcnn_repro.experiments.compute_curve.training_split`) beside the same on the validation images
    (the curve ``result``), and how much larger the training lead is."""
    val = {(r["model"], r["epochs"], r["bits"]): r for r in result["rows"]}
    lines = ["| run | epochs | bits | accuracy, training images | lead, training images | accuracy, validation | "
             "lead, validation | training − validation lead |", "|---" * 8 + "|"]
    for r in check["rows"]:
        v = val[(r["model"], r["epochs"], r["bits"])]
        lines.append(f"| {r['model']} | {r['epochs']} | {r['bits']} | {100 * r['accuracy']:.1f} | "
                     f"{r['lead_mediancut']:+.1f} (p={r['p_mediancut']:.1g}) | {100 * v['accuracy']:.1f} | "
                     f"{v['lead_mediancut']:+.1f} (p={v['p_mediancut']:.1g}) | "
                     f"{r['lead_mediancut'] - v['lead_mediancut']:+.1f} |")
    n = check["rows"][0]["n_images"] if check["rows"] else "?"
    return (f"Lead over MedianCut (points, McNemar p) on {n} class-balanced images of the training split each run "
            f"learned from, beside the curve's validation images ({result['profile']} profile).\n\n"
            + "\n".join(lines))


#: The loss terms of a run's history shown by :func:`loss_table` and :func:`loss_figure`, with their names:
#: the classification loss of the frozen classifier on the quantized images (Eq. 1 and 13), and ColorCNN+'s
#: MedianCut imitation (L_RP, Eq. 10–12).
LOSS_TERMS = {"task": "task loss (classifier, on quantized images)", "rp": "imitation loss L_RP (ColorCNN+)"}


def loss_table(histories: Mapping[str, list[Mapping]]) -> str:
    """Markdown: each run's training loss terms (:data:`LOSS_TERMS`) at its first and last epoch and the relative
    change (— for a term that starts at 0, such as L_RP at λ = 0), from
    :func:`~colorcnn_repro.experiments.compute_curve.longest_histories`."""
    lines = ["| run | term | epoch 1 | last epoch | change |", "|---|---|---|---|---|"]
    for label, history in histories.items():
        first, last = history[0], history[-1]
        for key in (k for k in LOSS_TERMS if k in first):
            change = f"{100 * (last[key] / first[key] - 1):+.0f} %" if first[key] else "—"  # a term switched off
            lines.append(f"| {label} | {key} | {first[key]:.3f} | {last[key]:.3f} ({last['epoch']}) | {change} |")
    return ("Training loss terms of each run up to its last evaluated cycle end (mean over the epoch's "
            "batches; ColorCNN+'s mixes the colour counts it draws during training).\n\n" + "\n".join(lines))


def loss_figure(histories: Mapping[str, list[Mapping]], result: Mapping) -> Figure:
    """Each run's loss terms (:data:`LOSS_TERMS`, one panel each) per epoch; the curve ``result`` names the
    profile and the data."""
    keys = [k for k in LOSS_TERMS if any(k in h[0] for h in histories.values())]
    fig, axes = plt.subplots(1, len(keys), figsize=(4.8 * len(keys), 3.4), squeeze=False)
    for ax, key in zip(axes[0], keys):
        for i, (label, history) in enumerate(histories.items()):
            if key in history[0]:
                ax.plot([h["epoch"] for h in history], [h[key] for h in history], marker=".", color=f"C{i % 10}",
                        label=label)
        ax.set_xlabel("epoch")
        ax.set_title(LOSS_TERMS[key], fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    clf = result["config"]["classifier"]
    fig.suptitle(f"Training loss per epoch · {result['profile']} profile, {clf['data']['dataset']} training split, "
                 f"{clf['classifier']} classifier", fontsize=9)
    fig.tight_layout()
    return fig


def curve_figure(result: Mapping, variants: Mapping[str, Mapping] | None = None,
                 bits: tuple[int, ...] = (1, 2, 6)) -> Figure:
    """The lead over each reference (one panel each) against training images on a log axis: one line per model
    and bit size (of ``bits``), its fitted trend dotted to the paper's budget, where the trend's 95 % interval of
    the fitted mean is drawn as an error bar, and the paper's budgets as vertical lines. ``variants``: other
    curves' runs of the same recipe with one setting changed (``{"λ = 0": its curve JSON}``), drawn dashed,
    without trends."""
    refs = result["references"]
    fig, axes = plt.subplots(1, len(refs), figsize=(5.2 * len(refs), 3.8), squeeze=False, sharey=True)
    curves = {"": result, **(variants or {})}
    series = sorted({(name, r["model"], r["bits"], r["method"]) for name, c in curves.items() for r in c["rows"]
                     if r["images"] and r["bits"] in bits and (not name or r["model"] == "ColorCNN+")})
    for ax, ref in zip(axes[0], refs):
        for i, (name, model, b, method) in enumerate(series):
            pts = sorted((r["images"], r[f"lead_{ref}"]) for r in curves[name]["rows"]
                         if r["model"] == model and r["bits"] == b and r["images"])
            x, y = np.array(pts).T
            color = f"C{i % 10}"
            ax.plot(x, y, marker=style(method).get("marker") or "o", color=color, ls="--" if name else "-",
                    label=f"{model}{f' ({name})' if name else ''}, {b} bit")
            trend = None if name else next((t for t in result["trends"] if "slope" in t and (
                t["model"], t["bits"], t["reference"]) == (model, b, ref)), None)
            if trend is not None:
                xs = np.geomspace(x.min(), trend["paper_images"], 20)
                ax.plot(xs, trend["intercept"] + trend["slope"] * np.log10(xs), ls=":", color=color, lw=1)
                lo, hi = trend["at_paper_ci"]
                ax.errorbar([trend["paper_images"]], [trend["at_paper"]], yerr=[[trend["at_paper"] - lo],
                                                                                  [hi - trend["at_paper"]]],
                            color=color, capsize=3, lw=0.8, alpha=0.7)
        for method, images in result["paper_images"].items():
            ax.axvline(images, color="grey", lw=0.8, ls="--")
            ax.annotate(f"paper's {style(method)['label']} budget", (images, 0), rotation=90, fontsize=7,
                        xytext=(2, 2), textcoords="offset points", va="bottom", color="grey")
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel("training images")
        ax.set_title(f"lead over {REFERENCE_NAMES[ref]}", fontsize=10)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("accuracy lead (points)")
    axes[0][-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.suptitle(f"Compute curve · {_data_note(result)} · dotted: fitted trend, its 95 % interval at the paper's "
                 "budget (one run: the line may not hold that far) · dashed: variants", fontsize=8)
    fig.tight_layout()
    return fig


def schedule_leads(curves: Mapping[str, Mapping], epochs: int, label: str = "ColorCNN+",
                   reference: str = "mediancut") -> dict[str, dict[int, float]]:
    """``{schedule: {bits: lead over reference (points)}}`` of the run ``label`` at the cycle end ``epochs``, from
    each schedule's curve JSON (``curves``); a schedule not evaluated there is left out."""
    out: dict[str, dict[int, float]] = {}
    for name, curve in curves.items():
        rows = [r for r in curve["rows"] if r["model"] == label and r["epochs"] == epochs]
        if rows:
            out[name] = {r["bits"]: r[f"lead_{reference}"] for r in rows}
    return out


def schedule_table(curves: Mapping[str, Mapping], label: str = "ColorCNN+") -> str:
    """Markdown: for each schedule of the imitation-schedule study (:mod:`colorcnn_repro.imitation_schedule`) and
    each evaluated cycle end, the run's lead over MedianCut and k-means (points, McNemar p) at every size, and
    the winner by the study's rule where every schedule reached its deciding cycle end."""
    bits = sorted({r["bits"] for c in curves.values() for r in c["rows"] if r["model"] == label})
    head = ["schedule", "epochs", *(f"{b} bit" for b in bits)]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for name, curve in curves.items():
        rows = {(r["epochs"], r["bits"]): r for r in curve["rows"] if r["model"] == label}
        for end in sorted({e for e, _ in rows}):
            cells = [(f"{rows[end, b]['lead_mediancut']:+.1f} (p={rows[end, b]['p_mediancut']:.1g}) / "
                      f"{rows[end, b]['lead_kmeans']:+.1f}") if (end, b) in rows else "" for b in bits]
            lines.append(f"| {name} | {end} | " + " | ".join(cells) + " |")
    leads = schedule_leads(curves, CHOOSE_AT, label)
    verdict = (f"Winner by the study's rule at {CHOOSE_AT} epochs: **{winner(leads) or 'none'}**."
               if set(leads) == set(curves) else
               f"The winner is chosen at {CHOOSE_AT} epochs; not every schedule has reached it.")
    note = _data_note(next(iter(curves.values()))) if curves else ""
    return (f"{label}'s lead over MedianCut (McNemar p) / over k-means, in points, per L_RP schedule and cycle end "
            f"({note}). " + verdict + "\n\n" + "\n".join(lines))


def seed_leads(curves: Mapping[str, Mapping[int, Mapping]], epochs: int, label: str = "ColorCNN+",
               reference: str = "mediancut") -> dict[str, dict[int, list[float]]]:
    """``{recipe: {bits: [lead over reference, one per seed]}}`` of run ``label`` at cycle end ``epochs``, from
    each recipe's curve JSON per seed (``curves[recipe][seed]``); seeds not evaluated there are left out."""
    out: dict[str, dict[int, list[float]]] = {}
    for recipe, per_seed in curves.items():
        for _, curve in sorted(per_seed.items()):
            for r in curve["rows"]:
                if r["model"] == label and r["epochs"] == epochs:
                    out.setdefault(recipe, {}).setdefault(r["bits"], []).append(r[f"lead_{reference}"])
    return out


def seed_table(leads: Mapping[str, Mapping[int, list[float]]], baseline: str) -> str:
    """Markdown: each recipe's mean lead (points) ± its seeds' standard deviation at every size, and its
    difference from the ``baseline`` recipe judged by the scorecard's rule: a direction only beyond the band
    t95(n − 1) · s · √(1/m + 1/k), s the standard deviation of the baseline's n seeds, m and k the seeds averaged on
    each side (:func:`~colorcnn_repro.stats.noise_band`). Fewer than three baseline seeds: no band, no direction."""
    bits = sorted({b for per in leads.values() for b in per})
    head = ["recipe", "seeds", *(f"{b} bit" for b in bits)]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    base = leads.get(baseline, {})
    for recipe, per in leads.items():
        cells = []
        for b in bits:
            values = per.get(b, [])
            if not values:
                cells.append("")
                continue
            mean = float(np.mean(values))
            cell = f"{mean:+.1f}" + (f" ± {np.std(values, ddof=1):.1f}" if len(values) > 1 else "")
            ref = base.get(b, [])
            if recipe != baseline and len(ref) >= 3:
                effect, band = mean - float(np.mean(ref)), noise_band(ref, len(values), len(ref))
                seen = "up" if effect > band else "down" if effect < -band else "within noise"
                cell += f"; {effect:+.1f} vs {baseline} (band ±{band:.1f}: {seen})"
            cells.append(cell)
        seeds = max((len(v) for v in per.values()), default=0)
        lines.append(f"| {recipe} | {seeds} | " + " | ".join(cells) + " |")
    return (f"Lead over MedianCut (points), mean ± standard deviation over seeds, and each recipe against "
            f"{baseline} judged against the spread of {baseline}'s seeds.\n\n" + "\n".join(lines))
