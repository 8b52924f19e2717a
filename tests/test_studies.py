"""Studies (Tables 2–5, Figs. 13–15, 17, 18): the override sets each sweep builds, the synthetic
official-format datasets, the data fallback, and one tiny end-to-end sweep."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from colorcnn_repro.config import config_key
from colorcnn_repro.data import MissingDataError, load_dataset
from colorcnn_repro.data.others import VOC_CLASSES
from colorcnn_repro.data.synthetic import (
    FOLDER_SYNTHETIC,
    STYLE14_LIKE_CLASSES,
    VOC_SYNTHETIC,
    make_smoke_folder,
    make_smoke_voc,
    register_synthetic_datasets,
)
from colorcnn_repro.experiments import examples as examples_module
from colorcnn_repro.experiments import pipeline, studies
from colorcnn_repro.experiments.examples import study_examples
from colorcnn_repro.profiles import get_config
from colorcnn_repro.report import recipe
from colorcnn_repro.training.runs import NO_TRAINING_ENV


def configs(plan: studies.Plan, profile: str):
    return {label: get_config("evaluate", profile, ov)
            for label, ov in studies.sweep_overrides(plan.variants, plan.methods, plan.overrides).items()}


def test_sweep_overrides_merge_order() -> None:
    out = studies.sweep_overrides({"a": {}, "b": {"colorcnn_plus.lam": 1.0, "methods": ("mediancut",)}},
                                  ("colorcnn+",), {"bits": (1, 2), "colorcnn_plus.lam": 5.0})
    assert out["a"] == {"bits": (1, 2), "colorcnn_plus.lam": 5.0, "methods": ("colorcnn+",)}
    assert out["b"] == {"bits": (1, 2), "colorcnn_plus.lam": 1.0, "methods": ("mediancut",)}


def test_variants_lambda_plan() -> None:
    plan = studies.variants_lambda_plan("smoke")
    cfgs = configs(plan, "smoke")
    ref = plan.groups["references"][0]
    assert cfgs[ref].methods == ("mediancut", "colorcnn")
    assert [cfgs[f"λ={v}"].colorcnn_plus.lam for v in ("0", "1", "3", "10")] == [0.0, 1.0, 3.0, 10.0]
    assert cfgs["w/o bottleneck"].colorcnn_plus.bottleneck == 0
    assert cfgs["w/o top-K"].colorcnn_plus.topk == 0
    assert cfgs["w/o augmentation"].colorcnn_plus.post_augment is False
    assert cfgs["CE→KD"].colorcnn_plus.kd is True
    default = get_config("evaluate", "smoke")
    for label in plan.groups["lambda"] + plan.groups["variants"]:
        c = cfgs[label]
        assert c.methods == ("colorcnn+",) and c.bits == (1, 2, 3)
        assert c.classifier == default.classifier  # one frozen classifier for every variant
    # every variant trains a different ColorCNN+ except λ=3, the profile's default
    keys = {label: config_key(cfgs[label].colorcnn_plus) for label in plan.groups["lambda"] + plan.groups["variants"]}
    assert len(set(keys.values())) == len(keys)
    assert keys["λ=3"] == config_key(default.colorcnn_plus)


def test_profile_defaults_and_caller_overrides() -> None:
    paper = configs(studies.variants_lambda_plan("paper"), "paper")["λ=3"]
    assert (paper.classifier.data.dataset, paper.classifier.classifier, paper.bits) == ("cifar100", "resnet18",
                                                                                          (1, 2, 3, 4, 5, 6))
    mine = configs(studies.variants_lambda_plan("paper", {"classifier.classifier": "vgg16"}, bits=(2,)), "paper")
    assert mine["λ=0"].classifier.classifier == "vgg16" and mine["λ=0"].bits == (2,)
    assert mine["λ=0"].colorcnn_plus.classifier == mine["λ=0"].classifier
    stl = configs(studies.colorcnn_ablation_plan("paper"), "paper")["ColorCNN"]
    assert stl.classifier.data.dataset == "stl10" and stl.classifier.batch_size == 32 and stl.bits == (3,)


def test_cpu_studies_train_colorcnn_plus_on_a_fifth() -> None:
    main = get_config("colorcnn+", "cpu")
    for plan in (studies.variants_lambda_plan("cpu"), studies.colorcnn_plus_ablation_plan("cpu")):
        cfgs = configs(plan, "cpu")
        assert all(c.colorcnn_plus.train_fraction == 0.2 for c in cfgs.values())
        assert all(c.classifier == main.classifier for c in cfgs.values())  # the zoo classifier
    assert configs(studies.colorcnn_ablation_plan("cpu"), "cpu")["ColorCNN"].colorcnn == get_config("colorcnn", "cpu")


def test_colorcnn_ablation_plan() -> None:
    plan = studies.colorcnn_ablation_plan("smoke")
    cfgs = configs(plan, "smoke")
    assert all(c.methods == ("colorcnn",) and c.bits == (3,) for c in cfgs.values())
    assert cfgs["w/o regularization (γ=0)"].colorcnn.gamma == 0.0
    assert cfgs["w/o color jitter (ξ=0)"].colorcnn.xi == 0.0
    assert [cfgs[label].colorcnn.xi for label in plan.groups["xi"]] == list(studies.sweep_values("xi", "smoke"))
    assert ([cfgs[label].colorcnn.gamma for label in plan.groups["gamma"]]
            == list(studies.sweep_values("gamma", "smoke")))
    assert {cfgs[label].colorcnn.backbone for label in plan.groups["backbone"]} == {"unet", "dncnn"}
    paper = studies.colorcnn_ablation_plan("paper")
    clfs = {configs(paper, "paper")[label].classifier.classifier for label in paper.groups["backbone"]}
    assert clfs == {"alexnet", "vgg16", "resnet18"} and len(paper.groups["backbone"]) == 6


def test_colorcnn_plus_ablation_plan() -> None:
    plan = studies.colorcnn_plus_ablation_plan("smoke")
    cfgs = configs(plan, "smoke")
    assert cfgs[plan.groups["references"][0]].methods == ("mediancut",)
    assert ([cfgs[label].colorcnn_plus.alpha for label in plan.groups["alpha"]]
            == list(studies.sweep_values("alpha", "smoke")))
    assert ([cfgs[label].colorcnn_plus.beta for label in plan.groups["beta"]]
            == list(studies.sweep_values("beta", "smoke")))
    assert [cfgs[label].colorcnn_plus.task_every for label in plan.groups["pace"]] == [1, 2, 0]  # smoke: 4 batches
    paper = studies.colorcnn_plus_ablation_plan("paper")
    assert [configs(paper, "paper")[label].colorcnn_plus.task_every for label in paper.groups["pace"]] == [1, 20, 0]
    assert all(cfgs[label].colorcnn_plus.alpha == 1.0 for label in plan.groups["beta"] + plan.groups["pace"])


def test_training_length_plan() -> None:
    plan = studies.training_length_plan("cpu")
    cfgs = configs(plan, "cpu")
    assert plan.groups["colorcnn"] == ["ColorCNN, 1 epoch", "ColorCNN, 2 epochs", "ColorCNN, 3 epochs",
                                       "ColorCNN, 4 epochs"]
    assert [cfgs[label].colorcnn.epochs for label in plan.groups["colorcnn"]] == [1, 2, 3, 4]
    assert [cfgs[label].colorcnn_plus.epochs for label in plan.groups["colorcnn+"]] == [4, 8]
    first = cfgs["ColorCNN, 1 epoch"]
    assert first.methods == ("colorcnn", "mediancut") and first.bits == (1, 2)
    assert first.colorcnn == get_config("colorcnn", "cpu")  # the main experiment's models, reused
    assert cfgs["ColorCNN+, 4 epochs"].colorcnn_plus == get_config("colorcnn+", "cpu")
    assert cfgs["ColorCNN+, 8 epochs"].bits == (1, 2, 6) and first.limit is None  # the main evaluation's images
    with pytest.raises(ValueError, match="accepted: smoke, cpu"):
        studies.training_length_plan("paper")


def test_length_table_by_hand() -> None:
    def variant(method: str, ours: dict[int, float], mc: dict[int, float], p: float) -> dict:
        return {"data": {"count": 10, "split": "val", "name": "cifar10"},
                "methods": {method: {str(b): {"accuracy": a} for b, a in ours.items()},
                            "mediancut": {str(b): {"accuracy": a} for b, a in mc.items()}},
                "significance": {str(b): {f"{method} vs mediancut": {"p": p}} for b in ours}}

    result = {"profile": "cpu", "groups": {"colorcnn": ["ColorCNN, 1 epoch"], "colorcnn+": ["ColorCNN+, 4 epochs"]},
              "variants": {"ColorCNN, 1 epoch": variant("colorcnn", {1: 0.5, 2: 0.6}, {1: 0.4, 2: 0.7}, 0.001),
                           "ColorCNN+, 4 epochs": variant("colorcnn+", {1: 0.45, 2: 0.7, 6: 0.8},
                                                          {1: 0.4, 2: 0.7, 6: 0.9}, 0.5)}}
    table = recipe.length_table(result).split("\n")
    assert table[0].startswith("Accuracy (%) on 10 val images of cifar10 (cpu profile)")
    assert table[4] == "| MedianCut | 40.0 | 70.0 | 90.0 |"
    assert table[5] == "| ColorCNN, 1 epoch | 50.0 (+10.0, p=0.001) | 60.0 (-10.0, p=0.001) |  |"
    assert table[6] == "| ColorCNN+, 4 epochs | 45.0 (+5.0, p=0.5) | 70.0 (+0.0, p=0.5) | 80.0 (-10.0, p=0.5) |"


def test_smoke_voc_official_format(tmp_path: Path) -> None:
    root = make_smoke_voc(tmp_path, n_train=30, n_val=10)
    folder = root / "VOCdevkit" / "VOC2012"
    assert (folder / "ImageSets" / "Main" / "trainval.txt").read_text().split()[:2] == ["2012_000000", "2012_000001"]
    assert "<bndbox>" in (folder / "Annotations" / "2012_000000.xml").read_text()
    train = load_dataset("voc2012", "train", root=root, image_size=32)
    assert train.multilabel and train.images.shape == (30, 32, 32, 3) and train.classes == VOC_CLASSES
    assert train.labels.sum(1).min() >= 1 and all(train.labels[i, i] == 1 for i in range(20))  # round robin
    assert len(load_dataset("voc2012", "val", root=root, image_size=32)) == 10


def test_smoke_folder_official_format(tmp_path: Path) -> None:
    root = make_smoke_folder(tmp_path / "style", per_split={"train": 2, "val": 1, "test": 1})
    assert sorted(p.name for p in (root / "train").iterdir()) == sorted(STYLE14_LIKE_CLASSES)
    train = load_dataset("folder", "train", root=root)
    assert train.images.shape == (28, 32, 32, 3) and np.bincount(train.labels).tolist() == [2] * 14
    assert len(load_dataset("folder", "test", root=root)) == 14


def test_registered_synthetic_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORCNN_CACHE", str(tmp_path))
    register_synthetic_datasets()
    voc = load_dataset(VOC_SYNTHETIC, "val")
    assert voc.multilabel and voc.images.shape[1:] == (32, 32, 3)
    assert (tmp_path / "synthetic" / VOC_SYNTHETIC / "VOCdevkit" / "VOC2012" / "JPEGImages").is_dir()
    style = load_dataset(FOLDER_SYNTHETIC, "val")
    assert not style.multilabel and len(style.classes) == 14


def test_resolve_data_falls_back_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORCNN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("COLORCNN_DATA", str(tmp_path / "data"))
    with pytest.warns(UserWarning, match="synthetic"):
        name, root, source = studies.resolve_data("voc2012")
    assert (name, root) == (VOC_SYNTHETIC, None)
    assert source.startswith("synthetic smoke data (real data not found at") and str(tmp_path / "data") in source
    with pytest.raises(MissingDataError):
        studies.resolve_data("folder", tmp_path / "data" / "style14", synthetic=False)
    make_smoke_folder(tmp_path / "real", per_split={"train": 1, "val": 1, "test": 1})
    name, root, source = studies.resolve_data("folder", tmp_path / "real")
    assert name == "folder" and root == tmp_path / "real" and source == f"folder at {tmp_path / 'real'}"


@pytest.mark.slow
def test_tiny_sweep_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("COLORCNN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("COLORCNN_RESULTS", str(tmp_path / "results"))
    monkeypatch.setattr(studies, "resolve_data", lambda *a, **k: (VOC_SYNTHETIC, None, "synthetic (test)"))
    register_synthetic_datasets()
    overrides = {"classifier.data.limit_train": 64, "limit": 16, "bits": (1, 2), "jpeg_qualities": (50,),
                 "colorcnn_plus.task_colors": (2, 4)}
    variants = {"λ=0": {"colorcnn_plus.lam": 0.0}, "reference": {"methods": ("mediancut",)}}
    result = studies.sweep("tiny", variants, ("colorcnn+",), "smoke",
                           {"classifier.data.dataset": VOC_SYNTHETIC, **overrides})
    path = tmp_path / "results" / "smoke" / Path(result["result_file"]).name
    assert json.loads(path.read_text())["config_key"] == result["config_key"]
    assert set(result["variants"]) == {"λ=0", "reference"}
    plus = result["variants"]["λ=0"]["methods"]["colorcnn+"]
    assert set(plus) == {"1", "2"} and {"accuracy", "mAP", "colors_used", "bpp"} <= set(plus["1"])
    assert list(result["variants"]["reference"]["methods"]) == ["mediancut"]
    assert len(result["rows"]) == 4 and result["rows"][0]["variant"] == "λ=0"
    # cached: a second call computes nothing
    monkeypatch.setattr(studies, "main_results", lambda *a, **k: pytest.fail("recomputed a cached study"))
    assert studies.sweep("tiny", variants, ("colorcnn+",), "smoke",
                         {"classifier.data.dataset": VOC_SYNTHETIC, **overrides}) == result
    # a fresh clone: the study JSON is gone and so are the models, but the variants' evaluations are
    # committed, so the study is rebuilt from them without training anything
    monkeypatch.setattr(studies, "main_results", pipeline.main_results)
    path.unlink()
    with monkeypatch.context() as m:
        for stage in ("classifier_stage", "learned_stage", "evaluation_stage"):
            m.setattr(pipeline, stage, lambda *a, **k: pytest.fail("retrained or re-evaluated a variant"))
        rebuilt = studies.sweep("tiny", variants, ("colorcnn+",), "smoke",
                                {"classifier.data.dataset": VOC_SYNTHETIC, **overrides})
    assert rebuilt["variants"] == result["variants"]
    # a data study on the synthetic VOC, with Fig. 13's examples from the trained model
    voc = studies.multilabel_voc("smoke", overrides)
    assert voc["synthetic"] is True and voc["data_source"] == "synthetic (test)"
    v = voc["variants"]["MedianCut vs ColorCNN+"]
    assert set(v["methods"]) == {"mediancut", "colorcnn+"} and "mAP" in v["original"]
    picks = {"ColorCNN+": ("MedianCut vs ColorCNN+", "colorcnn+")}
    examples = study_examples(voc, picks, 1, n=2)
    assert examples is not None and len(examples.images) == 2
    rgb = examples.quantized["ColorCNN+"][0].to_rgb()
    assert rgb.shape == (32, 32, 3) and len(np.unique(rgb.reshape(-1, 3), axis=0)) <= 2
    assert Path(examples.result_file).name.startswith("multilabel_voc_examples-")
    # kept beside the study: read back without a model; other params without the model and training off: None
    monkeypatch.setattr(examples_module, "trained_quantizers", lambda *a, **k: pytest.fail("recomputed the examples"))
    assert study_examples(voc, picks, 1, n=2).quantized["ColorCNN+"][1].palette.tolist() == \
        examples.quantized["ColorCNN+"][1].palette.tolist()
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "empty"))
    monkeypatch.setenv(NO_TRAINING_ENV, "1")
    monkeypatch.setattr(examples_module, "trained_quantizers", pipeline.trained_quantizers)
    with pytest.warns(UserWarning, match="no examples for .*training is off"):
        assert study_examples(voc, picks, 1, n=3) is None


def test_recipe_table_shows_the_paper_recipe_group_and_skips_absent_groups() -> None:
    def variant(methods: dict) -> dict:
        return {"data": {"count": 10, "split": "val", "name": "cifar10"}, "original": {"accuracy": 0.9},
                "methods": methods, "overrides": {}}

    result = {"profile": "cpu",
              "groups": {"references": ["MedianCut (reference)"], "colorcnn_paper": ["C=2 paper recipe"]},
              "variants": {"MedianCut (reference)": variant({"mediancut": {"1": {"accuracy": 0.4}}}),
                           "C=2 paper recipe": variant({"colorcnn": {"1": {"accuracy": 0.45}}})}}
    assert recipe.recipe_table(result).split("\n")[-2:] == ["| MedianCut | 40.0 |",
                                                             "| C=2 paper recipe | 45.0 (+5.0) |"]


def test_recipe_plan_changes_one_thing_at_a_time_from_the_paper_recipe() -> None:
    plan = studies.short_budget_recipe_plan("cpu")
    rows = [plan.variants[label] for label in plan.groups["colorcnn_paper"]]
    paper = {"colorcnn.temperature": 1.0, "colorcnn.xi": 1.0, "colorcnn.color_norm": 4.0,
             "colorcnn.gamma_log2c": False, "colorcnn.batch_size": 128}
    assert {k: rows[0][k] for k in paper} == paper and rows[0]["bits"] == (1,)
    changed = [{k: v for k, v in row.items() if paper.get(k, "absent") != v and k not in ("methods", "bits")}
               for row in rows[1:-1]]
    assert changed == [{"colorcnn.temperature": 0.1}, {"colorcnn.color_norm": 1.0, "colorcnn.xi": 0.1},
                       {"colorcnn.optim.lr": 0.03}, {"colorcnn.optim.lr": 0.1},
                       {"colorcnn.optim.name": "adam", "colorcnn.optim.lr": 1e-3}]


@pytest.mark.parametrize(("plan", "reference", "section"), [
    ("variants_lambda", "λ=3", "colorcnn_plus"), ("colorcnn_ablation", "ColorCNN", "colorcnn"),
    ("colorcnn_plus_ablation", "task every 20 batches (default)", "colorcnn_plus")])
def test_each_study_replicates_its_reference_variant_with_two_more_seeds(plan: str, reference: str,
                                                                         section: str) -> None:
    """The scorecard's noise level: the reference variant and ``<reference> (seed N)``, N = 1, 2, which differ
    from it only in the learned quantizer's seed."""
    p = studies.PLANS[plan]("cpu")
    assert p.groups["noise"] == [f"{reference} (seed 1)", f"{reference} (seed 2)"]
    for n, label in enumerate(p.groups["noise"], 1):
        assert p.variants[label] == {**p.variants[reference], f"{section}.seed": n}
