"""Tables and figures of the adversarial-defense and CAM studies, on hand-made results; and the invariant the
notebook used to assert, on every committed result: the attacks never leave the ε-ball."""
from __future__ import annotations

import json

import matplotlib
import pytest

matplotlib.use("Agg")

from colorcnn_repro.paths import REPO_ROOT  # noqa: E402
from colorcnn_repro.report import adversarial  # noqa: E402

RESULT = {
    "profile": "smoke", "data": {"name": "cifar10", "count": 10, "split": "val"},
    "params": {"attacks": ["pgd"], "eps_list": [2, 8], "methods": ["mediancut"], "colors": [2],
               "jpeg_qualities": [10]},
    "clean": {"none": 0.8, "mediancut": {"2": 0.5}, "jpeg": {"10": 0.6}},
    "attack_then_quantize": {"pgd": {"2": {"none": 0.4, "mediancut": {"2": 0.45}, "jpeg": {"10": 0.55}},
                                     "8": {"none": 0.1, "mediancut": {"2": 0.3}, "jpeg": {"10": 0.45}}}},
}


def test_tables_list_every_defense_clean_and_at_every_eps() -> None:
    md = adversarial.tables(RESULT).splitlines()
    assert md[0] == "**PGD, attack then quantize (classifier-only attacker)** — accuracy (%)"
    assert md[2] == "| defense | clean | ε=2/255 | ε=8/255 |"
    assert md[4:7] == ["| no defense | 80.0 | 40.0 | 10.0 |", "| MedianCut C=2 | 50.0 | 45.0 | 30.0 |",
                       "| JPEG q=10 | 60.0 | 55.0 | 45.0 |"]


def test_summary_names_the_best_defense_at_the_largest_eps() -> None:
    """At ε = 8: JPEG gains 45 − 10 = +35 points at a clean cost of 60 − 80 = −20; MedianCut +20 (clean −30)."""
    lines = adversarial.summary(RESULT).splitlines()
    assert lines[0].endswith("best defense **JPEG q=10** +35.0 points (its clean accuracy -20.0 points vs. no "
                             "defense)")
    assert "best MedianCut: MedianCut C=2 +20.0 points (clean -30.0)" in lines[1]


def test_figure_has_one_panel_per_attack_and_threat() -> None:
    fig = adversarial.figure(RESULT)
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 3


def test_committed_attacks_stay_in_the_eps_ball() -> None:
    files = sorted(REPO_ROOT.glob("results/*/adversarial-*.json"))
    for path in files:
        result = json.loads(path.read_text())
        for threat in adversarial.threats(result):
            for attack, per_eps in result["linf"][threat].items():
                assert all(linf <= float(eps) for eps, linf in per_eps.items()), (path.name, threat, attack)


def test_cam_summary_table_by_hand() -> None:
    """Two images, targets 0 and 1: the original predicts both right (100 %), MedianCut at 1 bit one (50 %)."""
    from colorcnn_repro.report import cam

    result = {"profile": "smoke", "data": {"count": 2, "split": "val"}, "target": [0, 1],
              "params": {"methods": ["mediancut"], "bits": [1]},
              "original": {"prediction": [0, 1], "mean_confidence": 0.9},
              "methods": {"mediancut": {"1": {"prediction": [0, 0], "mean_confidence": 0.4, "mean_agreement": 0.25}}}}
    assert cam.summary_table(result).splitlines()[-2:] == ["| original (24 bit) | 100.0 | 90.0 | 1 |",
                                                           "| MedianCut 1 bit | 50.0 | 40.0 | 0.25 |"]


def _variant(overrides: dict, accuracy: float, colors: float, bpp: float) -> dict:
    return {"overrides": {"bits": [3], **overrides}, "data": {"name": "cifar10", "count": 8, "split": "val"},
            "methods": {"colorcnn": {"3": {"accuracy": accuracy, "colors_used": colors, "bpp": bpp}}}}


ABLATION = {
    "profile": "smoke", "config": {"classifier": {"classifier": "alexnet"}}, "rows": [{"bits": 3}],
    "groups": {"table5": ["ColorCNN", "w/o regularization (γ=0)", "w/o color jitter (ξ=0)"],
               "xi": ["ξ=0", "ξ=1"], "gamma": ["γ=0", "γ=1"], "backbone": ["alexnet · U-Net", "alexnet · DnCNN"]},
    "variants": {"ColorCNN": _variant({}, 0.50, 8.0, 3.0),
                 "w/o regularization (γ=0)": _variant({"colorcnn.gamma": 0.0}, 0.45, 5.0, 2.0),
                 "w/o color jitter (ξ=0)": _variant({"colorcnn.xi": 0.0}, 0.48, 8.0, 3.0),
                 "ξ=0": _variant({"colorcnn.xi": 0.0}, 0.48, 8.0, 3.0),
                 "ξ=1": _variant({"colorcnn.xi": 1.0}, 0.40, 8.0, 3.0),
                 "γ=0": _variant({"colorcnn.gamma": 0.0}, 0.45, 5.0, 2.0),
                 "γ=1": _variant({"colorcnn.gamma": 1.0}, 0.50, 8.0, 3.0),
                 "alexnet · U-Net": _variant({"classifier.classifier": "alexnet", "colorcnn.backbone": "unet"},
                                             0.50, 8.0, 3.0),
                 "alexnet · DnCNN": _variant({"classifier.classifier": "alexnet", "colorcnn.backbone": "dncnn"},
                                             0.30, 6.0, 2.5)},
}


def test_ablation_summary_by_hand() -> None:
    """γ=0: 45 − 50 = −5.0 points and 5 − 8 = −3.0 colours; ξ=0: 48 − 50 = −2.0 points; U-Net 50 vs DnCNN 30."""
    from colorcnn_repro.report import ablation

    lines = ablation.summary(ABLATION).splitlines()
    assert lines[0].startswith("- w/o regularization − ColorCNN: -5.0 points, -3.0 colours/image")
    assert lines[1].startswith("- w/o colour jitter − ColorCNN: -2.0 points")
    assert lines[2] == "- alexnet: U-Net 50.0% vs DnCNN 30.0% (paper: U-Net better)"
    rows = [[cell.strip() for cell in row.split("|")[1:-1]] for row in ablation.table5(ABLATION).splitlines()]
    assert ["ColorCNN", "ours", "50.0", "8.0", "3.000"] in rows and ["", "paper", "69.7", "8.0", "0.425"] in rows


def test_ablation_figure_reads_sweep_values_from_overrides() -> None:
    from colorcnn_repro.report import ablation

    fig = ablation.fig17(ABLATION)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["0", "1"]
    assert [t.get_text() for t in fig.axes[1].get_xticklabels()] == ["0", "1"]
    assert ablation.seed_sd(ABLATION) is None  # one seed: no bars


def test_fig17_draws_the_spread_of_the_references_seeds() -> None:
    """Seeds at 50, 52 and 54 %: s.d. 2.0 points, drawn on every sweep point."""
    from colorcnn_repro.report import ablation

    seeded = {**ABLATION, "groups": {**ABLATION["groups"], "noise": ["ColorCNN (seed 1)", "ColorCNN (seed 2)"]},
              "variants": {**ABLATION["variants"], "ColorCNN (seed 1)": _variant({}, 0.52, 8.0, 3.0),
                           "ColorCNN (seed 2)": _variant({}, 0.54, 8.0, 3.0)}}
    assert ablation.seed_sd(seeded) == pytest.approx(2.0)
    fig = ablation.fig17(seeded)
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "±2.0: 1 s.d. of 3 seeds of ColorCNN"


def test_fig18_summary_picks_the_best_mean_per_group() -> None:
    """α=0.1 averages (0.2 + 0.4) / 2 = 30 %, α=1 (0.3 + 0.1) / 2 = 20 %: α=0.1 is the best of its group."""
    from colorcnn_repro.report import ablation

    def v(mc: list[float], plus: list[float]) -> dict:
        def per_bits(accs: list[float]) -> dict:
            return {str(b): {"accuracy": a} for b, a in zip((1, 2), accs)}

        return {"methods": {"mediancut": per_bits(mc), "colorcnn+": per_bits(plus)}}

    result = {"groups": {"references": ["α=1"], "alpha": ["α=0.1", "α=1"], "beta": ["β=1"], "pace": ["α=1"]},
              "variants": {"α=0.1": v([0.5, 0.6], [0.2, 0.4]), "α=1": v([0.5, 0.6], [0.3, 0.1]),
                           "β=1": v([0.5, 0.6], [0.1, 0.1])}}
    lines = ablation.fig18_summary(result).splitlines()
    assert lines[0] == "- α (R_info weight): best α=0.1 (30.0% mean over 2 bit sizes); paper: α=1"


def test_multilabel_table2_by_hand() -> None:
    """One variant: MedianCut 20 % / 40 mAP and ColorCNN+ 25 % / 45 mAP at 1 bit, beside the paper's 9.6 / 13.1 %."""
    from colorcnn_repro.report import multilabel

    per = {"mediancut": {"1": {"accuracy": 0.20, "mAP": 0.40}}, "colorcnn+": {"1": {"accuracy": 0.25, "mAP": 0.45}}}
    result = {"profile": "smoke", "config": {"classifier": {"classifier": "alexnet"}},
              "variants": {"main": {"methods": per, "data": {"name": "voc", "count": 4, "split": "val"},
                                    "original": {"accuracy": 0.5, "mAP": 0.6}}}}
    md = multilabel.table2(result)
    assert md.startswith("Ours: voc, alexnet, smoke profile, 4 val images; original images 50.0% accuracy / 60.0 mAP")
    cells = [[c.strip() for c in row.split("|")[1:-1]] for row in md.splitlines() if row.startswith("|")]
    assert any(row[:2] == ["MedianCut", "20.0"] or row[1:3] == ["ours", "20.0"] for row in cells), cells
    assert len(multilabel.table2_figure(result).axes) == 2


def test_stylized_table3_and_gain_by_hand() -> None:
    """One variant at 1 bit: MedianCut 30 %, ColorCNN+ 45 % (p = 0.004): +15.0 points against the paper's +30."""
    from colorcnn_repro.report import stylized

    per = {"mediancut": {"1": {"accuracy": 0.30}}, "colorcnn+": {"1": {"accuracy": 0.45}}}
    result = {"profile": "smoke", "config": {"classifier": {"classifier": "resnet18"}}, "data_source": "synthetic",
              "variants": {"main": {"methods": per, "data": {"name": "style14", "count": 20, "split": "val"},
                                    "original": {"accuracy": 0.6},
                                    "significance": {"1": {"mediancut vs colorcnn+": {"p": 0.004, "stars": "★★"}}}}}}
    md = stylized.table3(result)
    assert md.startswith("Accuracy (%), ours (style14, resnet18, smoke profile, 20 val images; original images 60.0%)")
    rows = [[c.strip() for c in row.split("|")[1:-1]] for row in md.splitlines() if row.startswith("|")]
    assert ["", "paper", "66.4"] in rows and ["", "vs MedianCut", "p=0.004 ★★"] in rows
    assert stylized.gain_summary(result) == ("- 1 bit, ColorCNN+ − MedianCut: ours +15.0 points (p = 0.004), paper "
                                            "+30.0 points at 1 bit (synthetic)")
    assert stylized.table3_figure(result).axes


def test_examples_grid_has_one_row_per_example() -> None:
    import numpy as np

    from colorcnn_repro.plots import examples_grid

    img = np.zeros((4, 4, 3), np.uint8)
    fig = examples_grid({"original": [img, img, img], "MedianCut": [img, img, img]}, title="t")
    assert len(fig.axes) == 6 and fig.axes[0].get_ylabel() == "image 1" and fig.axes[1].get_title() == "MedianCut"


def _lambda_result() -> dict:
    """A two-bit Table 4 study: MedianCut and ColorCNN in the reference row, ColorCNN+ at λ = 0 and 3, one variant."""
    def variant(methods: dict[str, dict[int, float]]) -> dict:
        return {"data": {"name": "cifar10", "count": 10, "split": "val"}, "original": {"accuracy": 0.9},
                "overrides": {}, "methods": {m: {str(b): {"accuracy": a} for b, a in per.items()}
                                             for m, per in methods.items()}}

    return {"profile": "smoke", "config": {"classifier": {"classifier": "alexnet"}},
            "groups": {"references": ["reference"], "lambda": ["λ=0", "λ=3"], "variants": ["w/o top-K"]},
            "variants": {"reference": variant({"mediancut": {1: 0.4, 6: 0.8}, "colorcnn": {1: 0.5, 6: 0.6}}),
                         "λ=0": variant({"colorcnn+": {1: 0.55, 6: 0.7}}),
                         "λ=3": variant({"colorcnn+": {1: 0.5, 6: 0.75}}),
                         "w/o top-K": variant({"colorcnn+": {1: 0.3, 6: 0.7}})}}


def test_table4_lists_ours_and_the_paper_per_row() -> None:
    from colorcnn_repro.report import variants

    md = variants.table4(_lambda_result())
    assert md.startswith("Accuracy (%) of every variant, ours (cifar10, alexnet, smoke profile, 10 val images; "
                         "original images 90.0%)")
    rows = [[cell.strip() for cell in line.split("|")[1:-1]] for line in md.splitlines() if line.startswith("|")]
    ours = [row for row in rows if row[1] == "ours"]
    assert [row[0] for row in ours] == ["MedianCut", "ColorCNN", "λ=0", "λ=3", "w/o top-K"]
    assert ours[0][2:4] == ["40.0", "80.0"]


def test_lambda_summary_by_hand() -> None:
    """λ=0 is best at 1 bit (55 vs 50 %), λ=3 at 6 bits (75 vs 70 %)."""
    from colorcnn_repro.report import variants

    assert variants.lambda_summary(_lambda_result()).splitlines() == [
        "- 1 bit: λ=0 55.0%, λ=3 50.0%", "- 6 bit: λ=0 70.0%, λ=3 75.0%",
        "- best λ at 1 bit: λ=0 (paper at 1 bit: λ=0); at 6 bit: λ=3 (paper at 6 bits: λ=10)"]


def test_lambda_figures_draw_every_curve() -> None:
    from colorcnn_repro.report import variants

    assert len(variants.lambda_figure(_lambda_result()).axes[0].lines) >= 4  # MedianCut, ColorCNN, two λ
    assert len(variants.variants_figure(_lambda_result()).axes[0].lines) >= 3
