"""Tables and figures of the main experiment (notebooks 01–04), on hand-made results and tiny images."""
from __future__ import annotations

import dataclasses
import json

import matplotlib
import numpy as np

matplotlib.use("Agg")

from colorcnn_repro.paths import REPO_ROOT  # noqa: E402
from colorcnn_repro.profiles import resolve  # noqa: E402
from colorcnn_repro.quantized import Quantized  # noqa: E402
from colorcnn_repro.report import main  # noqa: E402
from colorcnn_repro.results import Examples  # noqa: E402

RESULT = {
    "profile": "smoke", "data": {"count": 10, "split": "val", "image_size": [32, 32]},
    "methods": {"mediancut": {"1": {"accuracy": 0.40, "bpp": 1.5}, "6": {"accuracy": 0.80, "bpp": 7.0}},
                "colorcnn+": {"1": {"accuracy": 0.52, "bpp": 1.2}, "6": {"accuracy": 0.75, "bpp": 6.0}}},
    "significance": {"1": {"mediancut vs colorcnn+": {"p": 0.001, "stars": "★★"}},
                     "6": {"mediancut vs colorcnn+": {"p": 0.2, "stars": ""}}},
    "jpeg": [{"quality": 10, "bpp": 5.5, "accuracy": 0.6}],
}


def test_margins_by_hand() -> None:
    """ColorCNN+ − MedianCut: 52 − 40 = +12 points at 1 bit, 75 − 80 = −5 at 6; the paper's Table 4 rows:
    ColorCNN+ (λ=3) 19.9 vs MedianCut 10.2 at 1 bit (+9.7), 67.9 vs 70.8 at 6 bits (−2.9)."""
    assert main.margins(RESULT).splitlines() == [
        "- 1 bit, ColorCNN+ − MedianCut: ours +12.0 points (p = 0.001), paper (CIFAR100/ResNet18) +9.7 points",
        "- 6 bit, ColorCNN+ − MedianCut: ours -5.0 points (p = 0.2), paper (CIFAR100/ResNet18) -2.9 points"]


def test_accuracy_table_names_the_setting_and_figure_draws() -> None:
    exp = resolve("smoke")
    md = main.accuracy_table(exp, RESULT)
    assert md.startswith("Accuracy (%) per method and colour-space size, ours (cifar10 / alexnet, smoke profile, "
                         "10 val images)")
    assert "a different dataset and classifier from ours" in md and "p=0.001 ★★" in md
    assert main.accuracy_figure(exp, RESULT).axes


def test_bitrate_table_by_hand() -> None:
    md = main.bitrate_table(RESULT)
    assert md.startswith("Mean bpp / accuracy over 10 val images, smoke profile:")
    assert "1.500 bpp / 40.0%" in md and "1.200 bpp / 52.0%" in md and "5.500" in md


def test_bitrate_notes_name_the_container_floors() -> None:
    notes = main.bitrate_notes(RESULT).splitlines()
    assert notes[-2].startswith("smallest possible indexed PNG at 32×32:")
    assert notes[-1] == "the paper's 0.2 bpp threshold is below the PNG container floor at this image size"


def test_classifier_vs_paper() -> None:
    """AlexNet on CIFAR-10: the paper's Table 1 has 86.9 %; 84.9 is 2.0 points below."""
    line = main.classifier_vs_paper(resolve("smoke"), {"metrics": {"accuracy": 0.849},
                                                      "data": {"count": 10, "split": "val"}})
    assert line == "cifar10 / alexnet: ours 84.9% (smoke profile, 10 val images) vs paper 86.9% (-2.0 points)."


def test_visual_comparison_grid_and_soft_counts() -> None:
    images = np.random.default_rng(0).integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
    index, palette = np.zeros((16, 16), np.uint8), np.array([[10, 20, 30], [0, 0, 0]], np.uint8)
    flat = np.zeros((2, 4, 4, 3), np.uint8)
    examples = Examples(images, ["a", "b"], {f"mediancut {b}": [Quantized(index, palette)] * 2 for b in (1, 2)},
                        {"x": flat}, {"soft_bits": 1})
    fig = main.visual_comparison(examples, title="t")
    assert len([ax for ax in fig.axes if ax.images]) == 2 * 3  # original, MedianCut 1 and 2 bit
    assert main.soft_and_hard_counts(examples).splitlines() == ["Mean distinct colours over the first 2 images at "
                                                                "C = 2:", "", "- x: 1.0"]


CURVE = {
    "profile": "smoke",
    "models": {"ColorCNN C=2": {"method": "colorcnn", "bits": [1], "epochs": 3, "overrides": {}},
               "ColorCNN C=2, width 32": {"method": "colorcnn", "bits": [1], "epochs": 3,
                                          "overrides": {"colorcnn.width": 32}}},
    "rows": [{"model": label, "method": "colorcnn", "epochs": e, "bits": 1, "accuracy": acc, "train_seconds": 1800 * e,
              "bpp": 1.25, "lead_mediancut": 100 * (acc - 0.40), "p_mediancut": 0.004,
              "lead_kmeans": 100 * (acc - 0.45), "p_kmeans": 0.3}
             for label, e, acc in [("ColorCNN C=2", 1, 0.47), ("ColorCNN C=2", 3, 0.50),
                                   ("ColorCNN C=2, width 32", 3, 0.55)]],
}


def test_longest_models_are_each_own_recipe_runs_last_cycle_end() -> None:
    """The width-32 run has overrides, so only ColorCNN C=2 at 3 epochs (50 %: +10 over MedianCut's 40, +5 over
    k-means' 45; 3 × 1800 s = 1.50 h) is the zoo's longest; the main experiment's ColorCNN is not evaluated in
    RESULT (—)."""
    result = {**RESULT, "config": {"colorcnn": {"epochs": 1}, "colorcnn_plus": {"epochs": 4}}}
    md = main.longest_table(result, CURVE)
    assert "own model (ColorCNN 1 epochs, ColorCNN+ 4)" in md
    assert md.splitlines()[-1] == "| ColorCNN C=2 | 1 | 3 | 1.50 | 50.0 | — | +10.0 (p=0.004) | +5.0 (p=0.3) |"
    assert len(md.splitlines()) == 5
    [(method, label, points)] = main.longest_points(CURVE)
    assert (method, label, list(points), points[1]["accuracy"]) == ("colorcnn", "ColorCNN C=2, 3 epochs", [1], 0.50)
    assert main.longest_table(result, None).startswith("No compute curve")
    assert main.accuracy_figure(resolve("smoke"), RESULT, CURVE).axes
    fig = main.bitrate_figure(RESULT, CURVE)
    assert [line.get_label() for line in fig.axes[0].lines][2] == "ColorCNN C=2, 3 epochs"
    assert fig.axes[0].lines[2].get_xydata().tolist() == [[1.25, 50.0]]


def test_longest_examples_set_each_longest_run_beside_mediancut_and_the_main_model(monkeypatch, tmp_path) -> None:
    """CURVE's longest own-recipe run is ColorCNN C=2 at 3 epochs, evaluated at 1 bit: at 1 bit the columns are
    MedianCut, the main experiment's ColorCNN (smoke: 1 epoch) and that run; at 2 bits MedianCut alone. Stand-ins
    (k-means for the main model, OCTree for the run) show which quantizer fills which column."""
    from colorcnn_repro.data import ImageArrays
    from colorcnn_repro.experiments import compute_curve as cc
    from colorcnn_repro.experiments import examples as ex
    from colorcnn_repro.quantizers import ClassicalQuantizer

    images = np.random.default_rng(1).integers(0, 256, (3, 8, 8, 3), dtype=np.uint8)
    data = ImageArrays(images, np.zeros(3, np.int64), ["cat"], "tiny", "val")
    loaded = []
    monkeypatch.setattr(ex, "load_split", lambda *args: data)
    monkeypatch.setattr(ex, "trained_quantizers", lambda cfg, methods, root, device: {
        m: ClassicalQuantizer("kmeans") for m in methods})
    monkeypatch.setattr(cc, "trained_model_file", lambda method, cfg: loaded.append((method, cfg.epochs, cfg.colors)))
    monkeypatch.setattr(ex.LearnedQuantizer, "from_checkpoint", lambda *args: ClassicalQuantizer("octree"))
    curve = {**CURVE, "result_file": str(tmp_path / "compute_curve-cifar10-alexnet-0123456789.json")}
    out = ex.longest_examples(resolve("smoke"), curve, 2, [1, 2])
    assert list(out.quantized) == ["MedianCut\n1 bit", "ColorCNN\n1 epoch, 1 bit", "ColorCNN C=2\n3 epochs, 1 bit",
                                   "MedianCut\n2 bit"]
    assert loaded == [("colorcnn", 3, 2)] and out.params["models"] == {"ColorCNN C=2": 3} and len(out.names) == 2
    octree = ClassicalQuantizer("octree").quantize(images[1], 2)
    assert np.array_equal(out.quantized["ColorCNN C=2\n3 epochs, 1 bit"][1].to_rgb(), octree.to_rgb())
    fig = main.longest_comparison(out, title="t")
    assert len([ax for ax in fig.axes if ax.images]) == 2 * 5
    assert [ax.get_title() for ax in fig.axes[:5]] == ["original", *out.quantized]


def test_timings_table_by_hand() -> None:
    """Classifier 600 s (derived from images/s), ColorCNN C=2 120 s and C=4 not recorded, ColorCNN+ 900 s
    (repeated per C, counted once), evaluation 180 s: 1800 s of 4 recorded stages = 0.50 h."""
    plus = {"epochs": 3, "images": 300.0, "seconds": 900.0}
    result = {"profile": "cpu", "device": "cpu", "machine": {"cpu_capability": "AVX2", "cores": 2}, "seconds": 180.0,
              "config": {"classifier": {"classifier": "alexnet"}},
              "methods": {m: {"1": {"accuracy": 0.5}, "2": {"accuracy": 0.6}}
                          for m in ("mediancut", "colorcnn", "colorcnn+")},
              "training": {"classifier": {"all": {"epochs": 2, "images": 2000.0, "seconds": 600.0,
                                                  "seconds_from": "images_per_s"}},
                           "colorcnn": {"2": {"epochs": 1, "images": 1000.0, "seconds": 120.0}},
                           "colorcnn+": {"2": plus, "4": plus}}}
    md = main.timings_table(result)
    assert "Total: **0.50 h** (the 4 recorded stages; 1 not recorded)" in md
    assert "(cpu profile; evaluated on cpu, AVX2, 2 cores)" in md
    assert "No stage's time is recorded" in main.timings_table({**result, "training": {}, "seconds": None})
    assert md.splitlines()[-5:] == [
        "| classifier (alexnet) training | 2 | 2,000 | 600.0 (from images/s) |",
        "| ColorCNN, C = 2 | 1 | 1,000 | 120.0 |",
        "| ColorCNN, C = 4 |  |  | not recorded |",
        "| ColorCNN+ (every C) | 3 | 300 | 900.0 |",
        "| evaluation (every method and bit size, JPEG curve) |  |  | 180.0 |"]


def test_chain_timings_falls_back_to_a_committed_retrain(tmp_path) -> None:
    """An evaluation without a training record shows the retrain's record under ``retrain/`` (ColorCNN+ 900 s +
    evaluation 180 s = 0.30 h), saying so; one with a record, or with no retrain beside it, shows its own."""
    from colorcnn_repro.results import result_path

    exp = dataclasses.replace(resolve("smoke"), results=tmp_path)
    old = {"profile": "smoke", "device": "cpu", "seconds": 100.0, "config": {"classifier": {"classifier": "alexnet"}},
           "methods": {"colorcnn+": {"1": {"accuracy": 0.5}}}}
    assert "Total: **0.03 h**" in main.chain_timings(exp, old)
    plus = {"epochs": 1, "images": 9.0, "seconds": 900.0}
    retrain = {**old, "seconds": 180.0, "training": {"colorcnn+": {"2": plus}}}
    path = result_path(tmp_path / main.RETRAIN_FOLDER, "evaluation", exp.config)
    path.parent.mkdir()
    path.write_text(json.dumps(retrain))
    md = main.chain_timings(exp, old)
    assert md.startswith("This evaluation's models were trained before") and "Total: **0.30 h** (the 2 recorded" in md
    assert main.chain_timings(exp, {**old, "training": {}}) == main.timings_table({**old, "training": {}})


def test_performance_page_shows_the_pipelines_own_chain_timings() -> None:
    """docs/performance.md's main-chain table is :func:`main.timings_table` of the committed retrain's evaluation
    (``results/cpu/retrain/``), every stage recorded: no timing typed by hand."""
    files = sorted((REPO_ROOT / "results" / "cpu" / "retrain").glob("evaluation-*.json"))
    assert len(files) == 1
    table = main.timings_table(json.loads(files[0].read_text()))
    assert "not recorded" not in table
    assert table in (REPO_ROOT / "docs" / "performance.md").read_text()


def test_schedule_examples_set_each_schedules_longest_colorcnn_plus_beside_mediancut(monkeypatch, tmp_path) -> None:
    """Two schedules, constant at 31 epochs and gate at 15 (gate's curve also has 7): at each size MedianCut, then
    each schedule's longest ColorCNN+, loaded once each (stand-ins: OCTree for constant, k-means for gate)."""
    from colorcnn_repro.data import ImageArrays
    from colorcnn_repro.experiments import compute_curve as cc
    from colorcnn_repro.experiments import examples as ex
    from colorcnn_repro.quantizers import ClassicalQuantizer

    images = np.random.default_rng(2).integers(0, 256, (2, 8, 8, 3), dtype=np.uint8)
    monkeypatch.setattr(ex, "load_split", lambda *args: ImageArrays(images, np.zeros(2, np.int64), ["cat"], "t", "val"))
    monkeypatch.setattr(cc, "trained_model_file", lambda method, cfg: f"{cfg.rp_schedule} {cfg.epochs}")
    stand_in = {"constant 31": "octree", "gate 15": "kmeans"}
    monkeypatch.setattr(ex.LearnedQuantizer, "from_checkpoint", lambda path, *a: ClassicalQuantizer(stand_in[path]))
    models = {"ColorCNN+": {"method": "colorcnn+", "overrides": {}}}

    def curve(name: str, ends: list[int]) -> dict:
        file = tmp_path / f"compute_curve-cifar10-alexnet-{name * 10}.json"
        return {"profile": "smoke", "models": models, "result_file": str(file),
                "rows": [{"model": "ColorCNN+", "method": "colorcnn+", "epochs": e, "bits": 1} for e in ends]}

    out = ex.schedule_examples(resolve("smoke"), {"constant": curve("c", [31]), "gate": curve("d", [7, 15])}, 2,
                               [1, 6])
    assert list(out.quantized) == ["MedianCut\n1 bit", "constant\n31 epochs, 1 bit", "gate\n15 epochs, 1 bit",
                                   "MedianCut\n6 bit", "constant\n31 epochs, 6 bit", "gate\n15 epochs, 6 bit"]
    assert out.params["schedules"] == {"constant": 31, "gate": 15}
    kmeans = ClassicalQuantizer("kmeans").quantize(images[0], 64)
    assert np.array_equal(out.quantized["gate\n15 epochs, 6 bit"][0].to_rgb(), kmeans.to_rgb())


def test_the_readme_opening_prints_the_numbers_of_its_results() -> None:
    """Each number of README.md's opening paragraph is what the committed results give (the scorecard's block is
    checked the same way): a result that moves and a sentence that does not fail here."""
    from colorcnn_repro.paths import REPO_ROOT
    from colorcnn_repro.results import read_result

    results = REPO_ROOT / "results" / "cpu"
    evaluation, curve, no_imitation = (read_result(results / f"{name}.json") for name in (
        "evaluation-cifar10-alexnet-a1b5aa0b55", "compute_curve-cifar10-alexnet-9c3945a659",
        "compute_curve-cifar10-alexnet-f21ac41983"))
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    opening = readme[readme.index("so that a frozen classifier"):readme.index("**Contents:**")]
    missing = [n for n in main.opening_numbers(evaluation, curve, no_imitation) if n not in opening]
    assert not missing, f"README's opening lacks {missing}"


def test_a_variants_longest_colorcnn_plus_joins_the_longest_table_and_figure() -> None:
    """A gate-schedule curve whose ColorCNN+ reached 3 epochs (49 % at 1 bit, MedianCut 40 %): one more row, labelled
    with the variant, and one more hollow point on Fig. 12."""
    gate = {"profile": "smoke", "models": {"ColorCNN+": {"method": "colorcnn+", "bits": [1], "epochs": 3,
                                                          "overrides": {}}},
            "rows": [{"model": "ColorCNN+", "method": "colorcnn+", "epochs": e, "bits": 1, "accuracy": acc,
                      "train_seconds": 3600.0, "bpp": 1.2, "lead_mediancut": 100 * (acc - 0.40), "p_mediancut": 0.01,
                      "lead_kmeans": 100 * (acc - 0.45), "p_kmeans": 0.2} for e, acc in ((1, 0.45), (3, 0.49))]}
    assert list(main.variant_runs({"L_RP gate": gate})) == ["ColorCNN+ (L_RP gate)"]
    result = {**RESULT, "config": {"colorcnn": {"epochs": 1}, "colorcnn_plus": {"epochs": 1}}}
    table = main.longest_table(result, CURVE, {"L_RP gate": gate})
    assert table.splitlines()[-1].startswith("| ColorCNN+ (L_RP gate) | 1 | 3 | 1.00 | 49.0 |")
    labels = [p[1] for p in main.longest_points(CURVE, {"L_RP gate": gate})]
    assert labels == ["ColorCNN C=2, 3 epochs", "ColorCNN+ (L_RP gate), 3 epochs"]
