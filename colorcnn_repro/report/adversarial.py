"""Tables, figure and summary of the adversarial-defense study (:func:`colorcnn_repro.experiments.defense.
adversarial_study`, notebook ``08_adversarial_defense``), all read from its result JSON."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..plots import describe, style

THREAT_TITLES = {"attack_then_quantize": "attack then quantize (classifier-only attacker)",
                 "attack_pipeline": "attack the pipeline (adaptive, BPDA)"}
LINESTYLES = ["-", "--", ":", "-."]
Defense = tuple[str, str, str | None]  # (label, method, colour count or JPEG quality as in the JSON)


def threats(result: Mapping) -> list[str]:
    """The threat models the result holds, in :data:`THREAT_TITLES` order."""
    return [t for t in THREAT_TITLES if t in result]


def defenses(params: Mapping) -> list[Defense]:
    """Every defense of the study in table and plot order: none, each method at each colour count, JPEG."""
    out: list[Defense] = [("no defense", "none", None)]
    out += [(f"{style(m)['label']} C={c}", m, str(c)) for m in params["methods"] for c in params["colors"]]
    out += [(f"JPEG q={q}", "jpeg", str(q)) for q in params["jpeg_qualities"]]
    return out


def accuracy(table: Mapping, method: str, param: str | None) -> float | None:
    """Accuracy (%) of one defense in a ``{method: {param: accuracy}}`` table (``none``: a number), or None."""
    value = table.get("none") if method == "none" else table.get(method, {}).get(param)
    return None if value is None else 100 * value


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def tables(result: Mapping) -> str:
    """Markdown: one table per attack and threat model, accuracy (%) of each defense, clean and at every ε."""
    params, eps = result["params"], [str(e) for e in result["params"]["eps_list"]]
    md = []
    for threat in threats(result):
        for attack in params["attacks"]:
            md += [f"**{attack.upper()}, {THREAT_TITLES[threat]}** — accuracy (%)\n",
                   "| defense | clean | " + " | ".join(f"ε={e}/255" for e in eps) + " |",
                   "|---" * (2 + len(eps)) + "|"]
            for label, m, p in defenses(params):
                cells = [_fmt(accuracy(result["clean"], m, p))]
                cells += [_fmt(accuracy(result[threat][attack][e], m, p)) for e in eps]
                md.append(f"| {label} | " + " | ".join(cells) + " |")
            md.append("")
    return "\n".join(md)


def figure(result: Mapping) -> Figure:
    """One panel per attack and threat model: accuracy against ε (0 = clean). Colour = method (grey: none,
    olive: JPEG); line style = colour count or JPEG quality in increasing order."""
    params, eps = result["params"], [str(e) for e in result["params"]["eps_list"]]
    rows, attacks = threats(result), params["attacks"]
    xs = [0.0] + [float(e) for e in eps]
    fig, axes = plt.subplots(len(rows), len(attacks), figsize=(5.2 * len(attacks), 3.9 * len(rows)),
                             squeeze=False, sharey=True)
    qualities, colors = [str(q) for q in params["jpeg_qualities"]], [str(c) for c in params["colors"]]
    for r, threat in enumerate(rows):
        for c, attack in enumerate(attacks):
            ax = axes[r][c]
            for label, m, p in defenses(params):
                ys = [accuracy(result["clean"], m, p)] + [accuracy(result[threat][attack][e], m, p) for e in eps]
                if any(y is None for y in ys):
                    continue
                if m == "none":
                    kw = dict(color="grey", marker="o", ls="-", lw=2)
                elif m == "jpeg":
                    assert p is not None
                    kw = dict(color="tab:olive", marker=".", ls=LINESTYLES[qualities.index(p) % 4])
                else:
                    assert p is not None
                    s = style(m)
                    kw = dict(color=s["color"], marker=s["marker"], ls=LINESTYLES[colors.index(p) % 4])
                ax.plot(xs, ys, label=label, ms=4, **kw)
            ax.set_xticks(xs)
            ax.set_xlabel("ε (/255; 0 = clean)")
            ax.set_title(f"{attack.upper()} — {THREAT_TITLES[threat]}", fontsize=9)
            ax.grid(alpha=0.3)
            if c == 0:
                ax.set_ylabel("accuracy (%)")
    axes[0][-1].legend(fontsize=6.5, ncol=2, loc="upper right")
    fig.suptitle(f"Adversarial defense by colour quantization / JPEG\n{describe(result)}", fontsize=9)
    fig.tight_layout()
    return fig


def summary(result: Mapping) -> str:
    """Markdown bullets: at the largest ε, per attack and threat model, the best defense's gain over no defense
    (and its clean-accuracy cost), then the best of each quantizer."""
    params = result["params"]
    e_max = str(params["eps_list"][-1])
    base_clean = accuracy(result["clean"], "none", None)
    assert base_clean is not None  # every result has the undefended accuracy
    lines = []
    for threat in threats(result):
        for attack in params["attacks"]:
            table = result[threat][attack][e_max]
            base_adv = accuracy(table, "none", None)
            assert base_adv is not None
            # the clean table holds every defense
            scored = [(adv - base_adv, clean - base_clean, label) for label, m, p in defenses(params)[1:]
                      if (adv := accuracy(table, m, p)) is not None
                      and (clean := accuracy(result["clean"], m, p)) is not None]
            if not scored:
                continue
            gain, clean_cost, label = max(scored)
            lines.append(f"- {attack.upper()}, {THREAT_TITLES[threat]}, ε={e_max}/255: no defense {base_adv:.1f}%; "
                         f"best defense **{label}** {gain:+.1f} points (its clean accuracy {clean_cost:+.1f} points "
                         "vs. no defense)")
            for m in ("colorcnn+", "colorcnn", "mediancut"):
                mine = [s for s in scored if s[2].startswith(style(m)["label"] + " ")]
                if mine:
                    g, cc, lab = max(mine)
                    lines.append(f"    - best {style(m)['label']}: {lab} {g:+.1f} points (clean {cc:+.1f})")
    return "\n".join(lines)
