"""The scorecard: verdict rules, which result file is read, the verdict of every row on small hand-written
results, the atomic JSON, and README.md's generated block being up to date with results/<profile>/scorecard.json."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from colorcnn_repro.report import scorecard as sc
from colorcnn_repro.report.scorecard import FAILS, HOLDS, UNMEASURABLE

BITS = (1, 2, 5, 6)


def point(acc: float, bpp: float = 2.0, colors: float = 2.0) -> dict:
    return {"accuracy": acc / 100, "bpp": bpp, "colors_used": colors}


def curve(*accs: float, bits=BITS) -> dict:
    return {str(b): point(a) for b, a in zip(bits, accs)}


def data(name: str = "cifar10", classes: int = 10, count: int = 10_000, split: str = "test") -> dict:
    return {"name": name, "num_classes": classes, "count": count, "split": split}


def evaluation() -> dict:
    methods = {"mediancut": curve(40, 58, 74, 75), "octree": curve(30, 50, 70, 74), "dither": curve(20, 57, 73, 74),
               "colorcnn": curve(50, 60, 60, 75.5), "colorcnn+": curve(45, 55, 72, 70)}
    methods["colorcnn"]["1"]["bpp"], methods["colorcnn+"]["1"]["bpp"] = 1.5, 0.5
    sig = lambda p: {"p": p, "stars": ""}  # noqa: E731
    significance = {"1": {"mediancut vs colorcnn": sig(1e-5), "mediancut vs colorcnn+": sig(1e-3),
                          "mediancut vs dither": sig(1e-20)},
                    "2": {"mediancut vs colorcnn": sig(0.2), "mediancut vs colorcnn+": sig(0.01)},
                    "5": {"mediancut vs colorcnn": sig(1e-9), "mediancut vs colorcnn+": sig(0.04)},
                    "6": {"mediancut vs colorcnn": sig(0.5), "mediancut vs colorcnn+": sig(1e-4)}}
    jpeg = [{"quality": 1, "bpp": 1.0, "accuracy": 0.30}, {"quality": 10, "bpp": 3.0, "accuracy": 0.60}]
    return {"config_key": "aaaaaaaaaa", "data": data(), "methods": methods, "significance": significance,
            "jpeg": jpeg, "original": {"accuracy": 0.86}}


def study(name: str, variants: dict[str, dict]) -> dict:
    return {"study": name, "config": {"classifier": {"classifier": "alexnet", "data": {"dataset": "cifar10"}}},
            "config_key": "dddddddddd", "variants": {k: {"data": data(), "methods": v} for k, v in variants.items()}}


def write(folder: Path, name: str, body: dict, age: float = 0) -> Path:
    path = folder / name
    path.write_text(json.dumps(body))
    t = 1_700_000_000 - age
    os.utime(path, (t, t))
    return path


@pytest.fixture
def results(tmp_path: Path) -> Path:
    write(tmp_path, "evaluation-cifar10-alexnet-aaaaaaaaaa.json", evaluation(), age=100)
    # newer, but a study variant's evaluation (ColorCNN+ only): never the main evaluation
    write(tmp_path, "evaluation-cifar10-alexnet-bbbbbbbbbb.json",
          {"config_key": "bbbbbbbbbb", "data": data(), "methods": {"colorcnn+": curve(1, 1, 1, 1)}})
    write(tmp_path, "evaluation-mystem-npz-alexnet-eeeeeeeeee.json", evaluation())  # --npz: not a main result
    write(tmp_path, "classifier-cifar10-alexnet-cccccccccc.json", {"metrics": {"accuracy": 0.86}, "data": data()})
    write(tmp_path, "classifier-tinyimagenet-alexnet-cccccccccc.json",
          {"metrics": {"accuracy": 0.58}, "data": data("tinyimagenet", 20, 1000)})
    lam = lambda *a: {"colorcnn+": curve(*a)}  # noqa: E731
    write(tmp_path, "variants_lambda-cifar10-alexnet-dddddddddd.json", study("variants_lambda", {
        "λ=0": lam(30, 40, 50, 55), "λ=3": lam(28, 38, 55, 60), "λ=10": lam(25, 35, 62, 66)}))
    cc = lambda acc, colors: {"colorcnn": {"3": point(acc, colors=colors)}}  # noqa: E731
    write(tmp_path, "colorcnn_ablation-cifar10-alexnet-dddddddddd.json", study("colorcnn_ablation", {
        "ColorCNN": cc(44, 4.8), "w/o regularization (γ=0)": cc(39, 2.0), "w/o color jitter (ξ=0)": cc(44.5, 4.9)}))
    return tmp_path


#: Worked out by hand from the fixture above and the paper's numbers.
EXPECTED = {
    "ColorCNN − best classical method, 1 bit": HOLDS,  # +10 over MedianCut, p = 1e-5
    "ColorCNN − best classical method, 2 bit": FAILS,  # +2 but p = 0.2
    "ColorCNN+ − best classical method, 1 bit": HOLDS,  # +5, p = 1e-3
    "ColorCNN+ − best classical method, 2 bit": FAILS,  # 3 below MedianCut
    "ColorCNN+ close to MedianCut, 5 bit (ColorCNN+ − MedianCut)": HOLDS,  # −2 ≥ −3
    "ColorCNN+ close to MedianCut, 6 bit (ColorCNN+ − MedianCut)": FAILS,  # −5
    "ColorCNN behind MedianCut, 5 bit (ColorCNN − MedianCut)": HOLDS,  # −14, p = 1e-9
    "ColorCNN behind MedianCut, 6 bit (ColorCNN − MedianCut)": FAILS,  # +0.5
    "MedianCut+Dither − MedianCut, 1 bit": HOLDS,  # −20, p = 1e-20
    "MedianCut+Dither − MedianCut, 2 bit": FAILS,  # −1, no paired test stored
    "1-bit ColorCNN − best JPEG at ≤ its bitrate": HOLDS,  # 50 at 1.5 bpp vs JPEG q1 30 at 1.0 bpp
    "1-bit ColorCNN+ − best JPEG at ≤ its bitrate": UNMEASURABLE,  # 0.5 bpp, no JPEG point that cheap
    "ColorCNN+ λ=10 − λ=0, mean over 1–2 bits": HOLDS,  # −5
    "ColorCNN+ λ=10 − λ=0, mean over 5–6 bits": HOLDS,  # +11.5
    "Table 1: AlexNet on CIFAR10": HOLDS,  # 86.0 vs 86.9
    "Table 1: AlexNet on CIFAR100": UNMEASURABLE,  # no result
    "Table 1: AlexNet on STL10": UNMEASURABLE,
    "Table 1: AlexNet on Tiny200": UNMEASURABLE,  # 20-class subset
    "MedianCut, 1–6 bits": UNMEASURABLE,  # no CIFAR100 · ResNet18 evaluation
    "ColorCNN, 1–6 bits": UNMEASURABLE,
    "ColorCNN+, 1–6 bits": UNMEASURABLE,  # twice: Table 4's panel, and our CIFAR10 panel (plot only)
    "Table 4: ColorCNN+ λ=0, mean over bits: change from the reference row (points)": FAILS,  # paper −0.7, ours −1.5
    "Table 4: ColorCNN+ λ=1, mean over bits": UNMEASURABLE,  # not in the study
    "Table 4: ColorCNN+ λ=3, mean over bits": UNMEASURABLE,  # the reference row, other setup
    "Table 4: ColorCNN+ λ=10, mean over bits: change from the reference row (points)": FAILS,  # paper −2.6, ours +1.75
    "Table 4: ColorCNN+ w/o bottleneck, mean over bits": UNMEASURABLE,
    "Table 4: ColorCNN+ w/o top-K, mean over bits": UNMEASURABLE,
    "Table 4: ColorCNN+ w/o augmentation, mean over bits": UNMEASURABLE,
    "Table 4: ColorCNN+ CE→KD, mean over bits": UNMEASURABLE,
    "Table 5: ColorCNN, accuracy": UNMEASURABLE,  # the reference row, other setup
    "Table 5: ColorCNN, colours per image": UNMEASURABLE,
    "Table 5: w/o regularization (γ=0), accuracy: change from the reference row (points)": HOLDS,  # −2.2 / −5
    "Table 5: w/o regularization (γ=0), colours per image: change from the reference row (colours)": HOLDS,
    "Table 5: w/o color jitter (ξ=0), accuracy: change from the reference row (points)": FAILS,  # −1.9 / +0.5
    "Table 5: w/o color jitter (ξ=0), colours per image: change from the reference row (colours)": HOLDS,  # 0 / +0.1
}


def test_verdicts_on_fixture_results(results: Path) -> None:
    card = sc.build("fixture", results, expected=False)
    got: dict[str, set[str]] = {}
    for e in card["entries"]:
        got.setdefault(e["item"], set()).add(e["verdict"])
        assert e["reason"], e
    assert got == {item: {verdict} for item, verdict in EXPECTED.items()}
    assert sum(card["summary"].values()) == len(card["entries"])
    assert card["sources"]["evaluation:cifar10:alexnet"]["file"].endswith("evaluation-cifar10-alexnet-aaaaaaaaaa.json")
    assert not any(":npz:" in k or ":mystem:" in k for k in card["sources"])


def test_numbers_and_tests_of_rows(results: Path) -> None:
    entries = {e["item"]: e for e in sc.build("fixture", results, expected=False)["entries"]}
    small = entries["ColorCNN − best classical method, 1 bit"]
    assert (small["paper"], small["ours"], small["difference"]) == (7.2, 10.0, 2.8)  # Table 4: 17.4 − 10.2
    assert small["test"] == "McNemar vs MedianCut, p = 1e-05"
    assert "no paired test" in entries["MedianCut+Dither − MedianCut, 2 bit"]["reason"]
    t1 = entries["Table 1: AlexNet on CIFAR10"]
    assert (t1["paper"], t1["ours"], t1["difference"]) == (86.9, 86.0, -0.9) and t1["test"].startswith("95 % CI")


def test_expected_file_wins_over_newer_ones(results: Path) -> None:
    newer = evaluation() | {"config_key": "ffffffffff"}
    write(results, "evaluation-cifar10-alexnet-ffffffffff.json", newer, age=0)
    old = results / "evaluation-cifar10-alexnet-aaaaaaaaaa.json"
    card = sc.build("fixture", results, expected=lambda stage, ds, clf: old if stage == "evaluate" else None)
    assert card["sources"]["evaluation:cifar10:alexnet"] == {"file": str(old), "config_key": "aaaaaaaaaa",
                                                            "matches_current_config": True}
    card = sc.build("fixture", results, expected=False)  # no current config: the newest complete one
    assert card["sources"]["evaluation:cifar10:alexnet"]["config_key"] == "ffffffffff"


def test_a_study_is_current_when_its_plan_writes_it(results: Path) -> None:
    """Studies are looked up by their name: the file their plan writes is current; no plan file, none is."""
    lam = results / "variants_lambda-cifar10-alexnet-dddddddddd.json"
    card = sc.build("fixture", results, expected=lambda stage, ds, clf: lam if stage == "variants_lambda" else None)
    assert card["sources"]["variants_lambda:cifar10:alexnet"]["matches_current_config"] is True
    assert card["sources"]["colorcnn_ablation:cifar10:alexnet"]["matches_current_config"] is False


def test_profile_result_path_of_a_study_is_its_plans_file() -> None:
    """The smoke profile's λ study writes ``variants_lambda-cifar10-alexnet-<key>.json``; for another dataset than
    its plan's there is no current file."""
    expected = sc.profile_result_path("smoke")
    path = expected("variants_lambda", "cifar10", "alexnet")
    assert path.parent.name == "smoke" and path.name.startswith("variants_lambda-cifar10-alexnet-")
    assert expected("variants_lambda", "tinyimagenet", "alexnet") is None


def test_classifier_is_the_one_the_evaluation_used(results: Path) -> None:
    ev_path = results / "evaluation-cifar10-alexnet-aaaaaaaaaa.json"
    write(ev_path.parent, ev_path.name, evaluation() | {"config": {"classifier": {"epochs": 8}}}, age=100)
    used = write(results, "classifier-cifar10-alexnet-1111111111.json",
                 {"config": {"epochs": 8}, "metrics": {"accuracy": 0.80}, "data": data()}, age=500)
    newest = results / "classifier-cifar10-alexnet-cccccccccc.json"  # the current config's, and newer
    card = sc.build("fixture", results, expected=lambda stage, ds, clf: newest if stage == "classifier" else None)
    assert card["sources"]["classifier:cifar10:alexnet"] == {"file": str(used), "config_key": None,
                                                            "matches_current_config": False}
    t1 = next(e for e in card["entries"] if e["item"] == "Table 1: AlexNet on CIFAR10")
    assert (t1["ours"], t1["verdict"]) == (80.0, FAILS)
    used.unlink()  # without it: the current config's classifier
    card = sc.build("fixture", results, expected=lambda stage, ds, clf: newest if stage == "classifier" else None)
    assert card["sources"]["classifier:cifar10:alexnet"]["matches_current_config"] is True


@pytest.mark.parametrize("diff, p, verdict", [(3.0, 0.001, HOLDS), (3.0, 0.2, FAILS), (3.0, None, FAILS),
                                              (-1.0, 1e-9, FAILS), (0.0, 1e-9, FAILS)])
def test_verdict_ahead(diff, p, verdict) -> None:
    assert sc.verdict_ahead(diff, p, "MedianCut")[0] == verdict
    assert sc.verdict_behind(-diff, p, "MedianCut")[0] == verdict


def test_verdict_close_number_and_effect() -> None:
    assert sc.verdict_close(-3.0, "MedianCut")[0] == HOLDS and sc.verdict_close(-3.1, "MedianCut")[0] == FAILS
    assert sc.verdict_number(2.0)[0] == HOLDS and sc.verdict_number(-2.1)[0] == FAILS
    assert sc.verdict_number(-2.04)[0] == HOLDS  # shown as −2.0: judged as shown
    assert sc.verdict_effect(-2.2, -4.5)[0] == HOLDS and sc.verdict_effect(-0.5, 0.9)[0] == HOLDS
    assert sc.verdict_effect(-2.2, 0.5)[0] == FAILS and sc.verdict_effect(2.0, -2.0)[0] == FAILS


def test_bad_verdict_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'maybe' is not one of holds"):
        sc.Entry("claim", "x", "s", "setup", None, None, None, None, "maybe", "r")
    with pytest.raises(FileNotFoundError, match="no results folder .*colorcnn reproduce --profile nowhere"):
        sc.build("nowhere", tmp_path / "missing", expected=False)


def test_write_is_atomic_and_readme_block_updates(results: Path, tmp_path: Path) -> None:
    card = sc.build("fixture", results, expected=False)
    path = sc.write(card, tmp_path / "out" / "scorecard.json")
    assert json.loads(path.read_text()) == card and not list(path.parent.glob("*.tmp"))
    readme = tmp_path / "README.md"
    readme.write_text("# title\n\n<!-- scorecard:begin profile=fixture -->\nold\n<!-- scorecard:end -->\n\nafter\n")
    assert sc.update_readme(card, readme) and not sc.update_readme(card, readme)
    text = readme.read_text()
    assert sc.readme_block(text) == ("fixture", sc.to_markdown(card)) and text.endswith("<!-- scorecard:end -->\n\nafter\n")
    other = tmp_path / "OTHER.md"
    other.write_text("<!-- scorecard:begin profile=cpu -->\nkept\n<!-- scorecard:end -->\n")
    assert not sc.update_readme(card, other) and "kept" in other.read_text()  # another profile's block


def test_readme_block_is_up_to_date() -> None:
    """README.md's block must be what results/<profile>/scorecard.json renders to: regenerate both with
    `python -m colorcnn_repro.report.scorecard --profile <profile>`."""
    block = sc.readme_block(sc.README.read_text())
    assert block is not None, "README.md has no <!-- scorecard:begin profile=... --> block"
    profile, content = block
    path = sc.scorecard_path(profile)
    assert path.exists(), f"{path} is missing: run `python -m colorcnn_repro.report.scorecard --profile {profile}`"
    card = json.loads(path.read_text())
    assert all(e["verdict"] in sc.VERDICTS for e in card["entries"])
    assert content == sc.to_markdown(card), (
        f"README.md's scorecard block is out of date with {path}: run "
        f"`python -m colorcnn_repro.report.scorecard --profile {profile}`")
