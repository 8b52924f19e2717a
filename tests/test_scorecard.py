"""The scorecard: its rules at their boundaries (Wilson interval, Holm within a family, "close", a-fortiori JPEG,
effects against the noise of seed replicates), which result file is read, the verdicts of rows on small
hand-written results, the atomic JSON, and README.md's generated block being up to date with
results/<profile>/scorecard.json."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from colorcnn_repro.report import scorecard as sc
from colorcnn_repro.report.scorecard import FAILS, HOLDS, INCONCLUSIVE, UNMEASURABLE

BITS = (1, 2, 5, 6)
N = 10_000


def point(acc: float, bpp: float = 2.0, colors: float = 2.0) -> dict:
    return {"accuracy": acc / 100, "bpp": bpp, "colors_used": colors}


def curve(*accs: float, bits=BITS) -> dict:
    """Accuracy per size; the bitrate grows with the size (bits + 0.5)."""
    return {str(b): point(a, b + 0.5) for b, a in zip(bits, accs)}


def data(name: str = "cifar10", classes: int = 10, count: int = N, split: str = "test") -> dict:
    return {"name": name, "num_classes": classes, "count": count, "split": split}


def sig(p: float) -> dict:
    return {"p": p, "stars": ""}


def evaluation() -> dict:
    methods = {"mediancut": curve(40, 58, 74, 75), "octree": curve(30, 50, 70, 74), "dither": curve(20, 57, 73, 73.5),
               "kmeans": curve(49, 62, 76, 77), "libimagequant": curve(41, 61, 75, 78),
               "colorcnn": curve(50, 60, 60, 75.5), "colorcnn+": curve(45, 55, 72, 72.5)}
    methods["colorcnn+"]["1"]["bpp"] = 0.5
    significance = {
        # family "learned above the paper's classical": 1e-5, 0.2, 0.03, 0.01 → Holm 4e-5, 0.2, 0.06, 0.03;
        # no "kmeans vs colorcnn" at 1 bit: ColorCNN is above k-means there, untested
        "1": {"mediancut vs colorcnn": sig(1e-5), "mediancut vs colorcnn+": sig(0.03),
              "mediancut vs dither": sig(1e-20), "kmeans vs colorcnn+": sig(1e-3)},
        "2": {"mediancut vs colorcnn": sig(0.2), "mediancut vs colorcnn+": sig(0.01),
              "kmeans vs colorcnn": sig(0.01), "kmeans vs colorcnn+": sig(1e-9)},  # no "mediancut vs dither"
        # ColorCNN+ vs MedianCut: 0.03 and 0.04 → Holm 0.06 both
        "5": {"octree vs colorcnn": sig(1e-9), "colorcnn vs colorcnn+": sig(1e-6), "mediancut vs colorcnn+": sig(0.03)},
        "6": {"dither vs colorcnn": sig(0.5), "colorcnn vs colorcnn+": sig(1e-3), "mediancut vs colorcnn+": sig(0.04)},
    }
    jpeg = [{"quality": 1, "bpp": 1.0, "accuracy": 0.30}, {"quality": 10, "bpp": 3.0, "accuracy": 0.60}]
    return {"config_key": "aaaaaaaaaa", "data": data(), "methods": methods, "significance": significance,
            "jpeg": jpeg, "original": {"accuracy": 0.86}}


def study(name: str, variants: dict[str, dict], groups: dict | None = None) -> dict:
    """A study JSON; a variant's ``evaluation_key`` is its label unless it sets one (same key: same run)."""
    out = {label: {"data": data(), "evaluation_key": v.pop("key", label), "methods": v}
           for label, v in variants.items()}
    return {"study": name, "config": {"classifier": {"classifier": "alexnet", "data": {"dataset": "cifar10"}}},
            "config_key": "dddddddddd", "variants": out, "groups": groups or {}}


def plus(*accs: float) -> dict:
    return {"colorcnn+": curve(*accs)}


def lambda_study(seeds: bool = False) -> dict:
    variants = {"MedianCut / ColorCNN (references)": {"colorcnn": curve(30, 40, 60, 70)},
                "λ=0": plus(30, 40, 50, 55), "λ=3": plus(28, 38, 55, 60), "λ=10": plus(25, 35, 62, 66),
                "w/o bottleneck": plus(27, 37.5, 55.5, 60.5), "w/o top-K": plus(27, 37, 54, 59),
                "w/o augmentation": plus(22, 33, 52, 60.5), "CE→KD": plus(28.5, 37, 55, 61)}
    if seeds:  # λ=3 at 28/38/55/60 ± 0.5: s = 0.5, band = 4.303 · 0.5 · √(1 + 1/3) = 2.48 points
        variants |= {"λ=3 (seed 1)": plus(28.5, 38.5, 55.5, 60.5), "λ=3 (seed 2)": plus(27.5, 37.5, 54.5, 59.5)}
    return study("variants_lambda", variants)


def ablation_study() -> dict:
    cc = lambda acc, colors, key=None: {"colorcnn": {"3": point(acc, 3.0, colors)}, **({"key": key} if key else {})}  # noqa: E731
    return study("colorcnn_ablation", {
        "ColorCNN": cc(44, 4.8, "ref"), "w/o regularization (γ=0)": cc(39, 2.0, "g0"),
        "w/o color jitter (ξ=0)": cc(44.5, 4.9, "x0"),
        "ξ=0": cc(44.5, 4.9, "x0"), "ξ=0.1": cc(44, 4.8, "ref"), "ξ=1": cc(40, 4.8),
        "alexnet · U-Net": cc(44, 4.8, "ref"), "alexnet · DnCNN": cc(20, 4.8)},
        {"xi": ["ξ=0", "ξ=0.1", "ξ=1"], "backbone": ["alexnet · U-Net", "alexnet · DnCNN"]})


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
    # 86.2 % of 10,000: Wilson 85.5–86.87, just below the paper's 86.9
    write(tmp_path, "classifier-cifar10-alexnet-cccccccccc.json",
          {"metrics": {"accuracy": 0.862}, "data": data(), "config": {"epochs": 60}})  # the paper's protocol
    write(tmp_path, "classifier-tinyimagenet-alexnet-cccccccccc.json",
          {"metrics": {"accuracy": 0.58}, "data": data("tinyimagenet", 20, 1000)})
    write(tmp_path, "variants_lambda-cifar10-alexnet-dddddddddd.json", lambda_study())
    write(tmp_path, "colorcnn_ablation-cifar10-alexnet-dddddddddd.json", ablation_study())
    return tmp_path


def entries(results: Path) -> list[dict]:
    return sc.build("fixture", results, expected=None)["entries"]


def by_item(rows: list[dict]) -> dict[str, dict]:
    return {e["item"]: e for e in rows}


#: Worked out by hand from the fixture above and the paper's numbers.
EXPECTED = {
    "Table 1: AlexNet on CIFAR10": FAILS,  # 86.9 just outside 85.5–86.87
    "Table 1: AlexNet on Tiny200": UNMEASURABLE,  # 20-class subset
    "Table 1: VGG16 on STL10": UNMEASURABLE,  # no result
    "ColorCNN − strongest of the paper's classical methods, 1 bit": HOLDS,  # +10 over MedianCut, Holm 4e-5
    "ColorCNN − strongest of the paper's classical methods, 2 bit": INCONCLUSIVE,  # +2, Holm 0.2
    "ColorCNN+ − strongest of the paper's classical methods, 1 bit": INCONCLUSIVE,  # +5, raw p 0.03 but Holm 0.06
    "ColorCNN+ − strongest of the paper's classical methods, 2 bit": FAILS,  # 3 below MedianCut, Holm 0.03
    "ColorCNN − strongest of every classical method here, 1 bit": UNMEASURABLE,  # +1 over k-means, no test stored
    "ColorCNN − strongest of every classical method here, 2 bit": FAILS,  # below k-means
    "ColorCNN − weakest of the paper's classical methods, 5 bit": HOLDS,  # −10 vs OCTree, p 1e-9
    "ColorCNN − weakest of the paper's classical methods, 6 bit": INCONCLUSIVE,  # +2 above dithering, p 0.5
    "ColorCNN+ − ColorCNN, 5 bit": HOLDS,
    "ColorCNN+ − ColorCNN, 6 bit": FAILS,
    # non-inferiority at 2 points: −2 (p 0.03, se 0.92) gives −4.07 to +0.07, −2.5 (p 0.04) −5.23 to +0.23
    "ColorCNN+ close to MedianCut, 5 bit (ColorCNN+ − MedianCut)": INCONCLUSIVE,
    "ColorCNN+ close to MedianCut, 6 bit (ColorCNN+ − MedianCut)": INCONCLUSIVE,
    "MedianCut+Dither − MedianCut, 1 bit": HOLDS,
    "MedianCut+Dither − MedianCut, 2 bit": UNMEASURABLE,  # −1, no paired test stored
    "accuracy rises from the smallest to the largest colour space, every method (largest − smallest, points)": HOLDS,
    "ColorCNN: higher accuracy at a lower bitrate than each of the paper's classical methods": HOLDS,
    "ColorCNN: higher accuracy at a lower bitrate than each classical method here": FAILS,  # k-means never beaten
    "ColorCNN+ above the paper's classical methods, ColorCNN and JPEG at every bitrate": FAILS,  # MedianCut 5 bit
    "1-bit ColorCNN − JPEG at ≤ its bitrate (points)": HOLDS,  # 50 % at 1.5 bpp vs JPEG q1 30 % at 1.0 bpp
    "1-bit ColorCNN+ − JPEG at ≤ its bitrate (points)": UNMEASURABLE,  # 0.5 bpp, cheapest JPEG 1.0 bpp
    "PNG bitrate rises with the colour-space size, every method": UNMEASURABLE,
    "Table 4: ColorCNN+ λ=0 − λ=3, per bit (points)": UNMEASURABLE,  # one seed of λ=3
    "Table 4: ColorCNN+ λ=0, 1–6 bits": UNMEASURABLE,  # printed cells: the paper's setup only
    "ColorCNN+: λ = 3, the intermediate choice, is not below λ = 0, 1 or 10 in accuracy over 1–6 bits "
    "(λ=3 − other, mean over sizes, points)": UNMEASURABLE,  # one seed of λ=3: no noise level
    "Table 5: w/o color jitter (ξ=0) − ColorCNN, accuracy (points)": UNMEASURABLE,
    "ColorCNN: DnCNN − U-Net backbone, VGG16 (points)": UNMEASURABLE,  # not in the study
    "MedianCut, 1–6 bits": UNMEASURABLE,  # no CIFAR100 · ResNet18 evaluation
    "Table 3: ColorCNN+, 1–6 bits": UNMEASURABLE,
    "ColorCNN+: a new task every batch or every epoch costs accuracy, mean over 1–6 bits "
    "(every batch / every epoch − default)": UNMEASURABLE,  # no study
}


def test_verdicts_on_fixture_results(results: Path) -> None:
    card = sc.build("fixture", results, expected=None)
    got: dict[str, set[str]] = {}
    for e in card["entries"]:
        got.setdefault(e["item"], set()).add(e["verdict"])
        assert e["reason"], e
    assert {item: got.get(item) for item in EXPECTED} == {item: {verdict} for item, verdict in EXPECTED.items()}
    assert sum(card["summary"].values()) == len(card["entries"])
    assert card["sources"]["evaluation:cifar10:alexnet"]["file"].endswith("evaluation-cifar10-alexnet-aaaaaaaaaa.json")
    assert not any(":npz:" in k or ":mystem:" in k for k in card["sources"])


def test_every_section_4_table_is_covered(results: Path) -> None:
    """Every printed table and the text's numbers have rows, with the paper's own section numbers."""
    rows = entries(results)
    sources = " ".join(e["source"] for e in rows)
    for ref in ("Sec. 4.1, Table 1", "Sec. 4.3.1, Table 2", "Sec. 4.3.2, Table 3", "Sec. 4.5.2, Table 4",
                "Sec. 4.5.1, Table 5", "Sec. 4.2.2, Fig. 12", "Sec. 4.3.4", "Sec. 4.3.5", "Sec. 4.3.6",
                "Sec. 4.4, Fig. 16", "Sec. 4.5.1, Fig. 17", "Sec. 4.5.2, Fig. 18"):
        assert ref in sources, ref
    assert len([e for e in rows if e["item"].startswith("Table 1: ")]) == 12
    items = by_item(rows)
    assert items["ColorCNN+ − MedianCut on Style14, 1 bit"]["paper"] == 30.0
    tiny = [items[f"Tiny200 · {c}: MedianCut, 1 bit"]["paper"] for c in ("AlexNet", "VGG16", "ResNet18")]
    assert tiny == [11.3, 10.2, 6.2]


def test_holm_and_families(results: Path) -> None:
    assert sc.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert sc.holm([0.5]) == [0.5] and sc.holm([0.4, 0.3]) == pytest.approx([0.6, 0.6])
    items = by_item(entries(results))
    one = items["ColorCNN+ − strongest of the paper's classical methods, 1 bit"]
    assert (one["p"], one["p_holm"]) == (0.03, pytest.approx(0.06))
    assert one["family"] == "1–2 bits: learned above the paper's classical methods · CIFAR10 · AlexNet"
    assert "Holm p = 0.06 (4 tests)" in one["test"] and "not significant" in one["reason"]
    close = items["ColorCNN+ close to MedianCut, 5 bit (ColorCNN+ − MedianCut)"]
    assert (close["family"], close["p_holm"]) == (None, None)
    assert "97.5 % interval -4.1 to +0.1, margin −2 points: across the margin" in close["reason"]
    untested = items["MedianCut+Dither − MedianCut, 2 bit"]
    assert (untested["family"], untested["p"], untested["p_holm"]) == (None, None, None)
    here = items["ColorCNN − strongest of every classical method here, 2 bit"]
    assert "k-means" in here["test"] and here["family"].startswith("1–2 bits: learned above the strongest")


def test_nothing_is_subtracted_across_setups(results: Path) -> None:
    rows = entries(results)
    for e in rows:
        if e["paper_setup"] != e["setup"]:
            assert e["difference"] is None, e["item"]
    small = by_item(rows)["ColorCNN − strongest of the paper's classical methods, 1 bit"]
    assert (small["paper"], small["ours"], small["difference"]) == (7.2, 10.0, None)  # Table 4: 17.4 − 10.2
    assert (small["setup"], small["paper_setup"]) == ("CIFAR10 · AlexNet", "CIFAR100 · ResNet18")
    t1 = by_item(rows)["Table 1: AlexNet on CIFAR10"]
    assert (t1["paper"], t1["ours"], t1["difference"]) == (86.9, 86.2, -0.7)
    assert t1["test"] == "95 % Wilson CI 85.5–86.9 (n = 10,000)"


@pytest.mark.parametrize("ours, n, verdict", [
    (86.2, 10_000, FAILS),  # upper bound 86.87: just excludes 86.9
    (86.3, 10_000, HOLDS),  # upper bound 86.97
    (84.88, 5_000, FAILS),  # −2.02 points: "within ±2" once rounded, but 83.9–85.8 excludes 86.9
    (85.0, 300, HOLDS),  # few images: a wide interval
])
def test_number_rule_is_the_wilson_interval(ours, n, verdict) -> None:
    assert sc.judge_numbers({"": 86.9}, {"": ours}, n)[0] == verdict
    assert sc.judge_numbers({"1 bit": 10.0, "2 bit": 86.9}, {"1 bit": 10.0, "2 bit": ours}, n)[0] == verdict


@pytest.mark.parametrize("diff, p, verdict", [(3.0, 0.001, HOLDS), (3.0, 0.2, INCONCLUSIVE), (3.0, None, UNMEASURABLE),
                                              (-1.0, 1e-9, FAILS), (0.0, 1e-9, INCONCLUSIVE),
                                              (3.0, 0.05, INCONCLUSIVE), (-1.0, 0.3, INCONCLUSIVE)])
def test_judge_sign(diff, p, verdict) -> None:
    """Holds in the claimed direction at Holm p < 0.05, does not hold the other way at p < 0.05, inconclusive
    where the test tells neither (p ≥ 0.05, or no difference)."""
    assert sc.judge_sign(diff, p, "MedianCut", +1)[0] == verdict
    assert sc.judge_sign(-diff, p, "MedianCut", -1)[0] == verdict


@pytest.mark.parametrize("diff, p, verdict", [
    (-3.5, 5.2e-16, FAILS),  # se 0.432, 97.5 % interval −4.47 to −2.53: all below −2
    (-2.7, 1e-11, INCONCLUSIVE),  # se 0.397, −3.59 to −1.81: across −2
    (-0.5, 1e-3, HOLDS),  # se 0.152, −0.84 to −0.16: all above −2
    (1.0, 1e-9, HOLDS),  # above MedianCut is close too (non-inferiority)
    (0.5, 0.7, INCONCLUSIVE),  # p ≥ 0.5: no standard error, so no interval
    (-1.0, None, UNMEASURABLE),
])
def test_judge_close(diff, p, verdict) -> None:
    """Non-inferiority at a 2-point margin, z = 2.2414 (two rows, Bonferroni) times the McNemar-derived se."""
    assert sc.judge_close(diff, p)[0] == verdict


def test_p_values_are_not_rounded_across_alpha() -> None:
    assert sc.fmt_p(0.0499812) == "0.04998" and sc.fmt_p(0.0449) == "0.045" and sc.fmt_p(3e-7) == "3e-07"


def test_effects_against_the_noise_of_seed_replicates(results: Path) -> None:
    """Three seeds of λ=3 (s = 0.5): effects inside the ±2.48 band give no direction."""
    assert sc.t95(2) == pytest.approx(4.3027, abs=1e-4) and sc.t95(30) == pytest.approx(2.0423, abs=1e-4)
    assert sc.noise_band([28, 28.5, 27.5]) == pytest.approx(4.30265 * 0.5 * (4 / 3) ** 0.5)
    write(results, "variants_lambda-cifar10-alexnet-dddddddddd.json", lambda_study(seeds=True))
    items = by_item(entries(results))
    verdicts = {k: items[f"Table 4: ColorCNN+ {k} − λ=3, per bit (points)"]["verdict"]
                for k in ("λ=0", "λ=10", "w/o bottleneck", "w/o top-K", "w/o augmentation", "CE→KD")}
    assert verdicts == {
        "λ=0": INCONCLUSIVE,  # +2 at 1–2 bits: inside the noise where the paper has +3.8/+6.0
        "λ=10": HOLDS,  # −3/−3/+7/+6: beyond the noise, each the paper's way
        "w/o bottleneck": INCONCLUSIVE,  # both ways inside the band while the paper claims a direction
        "w/o top-K": INCONCLUSIVE,  # −1 everywhere: inside the noise
        "w/o augmentation": HOLDS,  # down beyond the noise at 1–5 bits, not down at 6
        "CE→KD": HOLDS,  # "similar": inside the noise
    }
    bottleneck = items["Table 4: ColorCNN+ w/o bottleneck − λ=3, per bit (points)"]
    assert "1 bit: paper down, here within noise (-1.00)" in bottleneck["reason"]
    assert bottleneck["noise"]["seeds"] == 3 and bottleneck["noise"]["sd"]["1 bit"] == pytest.approx(0.5)
    assert bottleneck["noise"]["band"]["5 bit"] == pytest.approx(2.484, abs=1e-3)
    assert bottleneck["ours"] == {"1 bit": -1.0, "2 bit": -0.5, "5 bit": 0.5, "6 bit": 0.5}  # λ=3: mean of 3 seeds
    assert items["ColorCNN+ w/o augmentation − ColorCNN, 1–2 bits (points)"]["verdict"] == HOLDS  # −8, −7


def test_larger_lambda_more_faithful_is_judged_on_pixel_error(results: Path) -> None:
    """Fig. 15's claim on the pixel error averaged over sizes: λ=3's seeds at 690/700/710 (s = 10), each step up in
    λ 100 lower. Band of a step from one run to λ=3's three: 4.303 · 10 · √(1 + 1/3) = 49.7; between single runs
    4.303 · 10 · √2 = 60.9; −100 is beyond both: holds. A study without pixel errors cannot answer it."""
    item = ("ColorCNN+: a larger λ is more visually faithful: each step up in λ (0→1→3→10) lowers the pixel error, "
            "mean over 1–6 bits (mean squared error per pixel and channel, 0–255 scale)")
    assert by_item(entries(results))[item]["verdict"] == UNMEASURABLE  # the fixture's λ study has no pixel error

    def faithful(mse: float) -> dict:
        out = plus(28, 38, 55, 60)
        for p in out["colorcnn+"].values():
            p["mse"] = mse
        return out

    variants = {"λ=0": faithful(900), "λ=1": faithful(800), "λ=3": faithful(700), "λ=3 (seed 1)": faithful(690),
                "λ=3 (seed 2)": faithful(710), "λ=10": faithful(600)}
    write(results, "variants_lambda-cifar10-alexnet-dddddddddd.json", study("variants_lambda", variants))
    row = by_item(entries(results))[item]
    assert row["verdict"] == HOLDS and row["ours"] == {"λ=0→1": -100.0, "λ=1→3": -100.0, "λ=3→10": -100.0}
    assert row["noise"]["band"]["λ=1→3"] == pytest.approx(4.30265 * 10 * (4 / 3) ** 0.5, abs=1e-3)
    assert row["noise"]["band"]["λ=0→1"] == pytest.approx(4.30265 * 10 * 2 ** 0.5, abs=1e-3)


def test_without_seeds_effects_are_not_measurable(results: Path) -> None:
    items = by_item(entries(results))
    row = items["Table 4: ColorCNN+ w/o top-K − λ=3, per bit (points)"]
    assert row["verdict"] == UNMEASURABLE and row["paper"] is not None and row["ours"] is not None
    assert row["reason"].startswith("no measured noise level (needs ≥ 3 seeds of the reference variant “λ=3”; 1 found)")
    xi = items["ColorCNN: too small or too large colour jitter ξ costs accuracy (smallest / largest − default)"]
    assert xi["ours"] == {"ξ=0 − ξ=0.1": 0.5, "ξ=1 − ξ=0.1": -4.0} and "“ColorCNN”; 1 found" in xi["reason"]


def test_seed_replicates_convention() -> None:
    variants = {"λ=3": {"evaluation_key": "a"}, "λ=3 (seed 1)": {"evaluation_key": "b"},
                "λ=3 (seed 2)": {"evaluation_key": "a"},  # the same run as λ=3: counts once
                "λ=3 (seed x)": {"evaluation_key": "c"}, "λ=30 (seed 1)": {"evaluation_key": "d"}}
    assert [v["evaluation_key"] for v in sc.replicates(variants, "λ=3")] == ["a", "b"]
    plus_study = study("colorcnn_plus_ablation", {"α=1": {}, "task every 20 batches (default)": {}})
    found = sc.Found(Path("s.json"), plus_study, False)
    assert sc.reference_label(found) == "task every 20 batches (default)"


def test_table4_cells_rebuilt_from_garbled_text_are_flagged(results: Path) -> None:
    items = by_item(entries(results))
    small = items["ColorCNN − strongest of the paper's classical methods, 1 bit"]
    assert any("MedianCut at 1 bit rebuilt" in f for f in small["flags"])
    topk = " ".join(items["Table 4: ColorCNN+ w/o top-K − λ=3, per bit (points)"]["flags"])
    assert "w/o top-K at 1, 2, 5, 6 bit rebuilt" in topk and "ambiguous between two rows" in topk
    assert items["Table 4: ColorCNN+ w/o bottleneck − λ=3, per bit (points)"]["flags"] == []  # verbatim deltas
    assert items["ColorCNN, 1–6 bits"]["flags"] == []  # Table 4's only row read as printed
    assert "⚑ Table 4" in sc.to_markdown(sc.build("fixture", results, expected=None))


def test_jpeg_a_fortiori(results: Path) -> None:
    ev = sc.Found(Path("e.json"), evaluation(), False)
    plus1 = sc.claim_jpeg(ev, "s", "colorcnn+")  # 0.5 bpp: every JPEG costs more, so no equal-bitrate test
    assert plus1.verdict == UNMEASURABLE and plus1.reason.startswith("not measurable at equal bitrate")
    assert plus1.ours == 15.0 and plus1.p is None and "significantly more accurate at fewer bits" in plus1.reason
    control = sc.claim_jpeg(ev, "s", "mediancut")  # MedianCut 40 % at 1.5 bpp, JPEG q1 30 % at 1.0 bpp: judged
    assert control.item.startswith("control: ") and control.paper is None and control.verdict == HOLDS
    ev.data["methods"]["colorcnn"]["1"]["accuracy"] = 0.31  # JPEG q1 is cheaper: judged directly
    direct = sc.claim_jpeg(ev, "s", "colorcnn")
    assert direct.verdict == FAILS and "best JPEG at no more bits" in direct.reason


def test_expected_file_wins_over_newer_ones(results: Path) -> None:
    newer = evaluation() | {"config_key": "ffffffffff"}
    write(results, "evaluation-cifar10-alexnet-ffffffffff.json", newer, age=0)
    old = results / "evaluation-cifar10-alexnet-aaaaaaaaaa.json"
    card = sc.build("fixture", results, expected=lambda stage, ds, clf: old if stage == "evaluate" else None)
    assert card["sources"]["evaluation:cifar10:alexnet"] == {"file": str(old), "config_key": "aaaaaaaaaa",
                                                            "matches_current_config": True}
    card = sc.build("fixture", results, expected=None)  # no current config: the newest complete one
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
    from colorcnn_repro.experiments.studies import current_result_path

    expected = current_result_path("smoke")
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
    assert (t1["ours"], t1["verdict"]) == (80.0, UNMEASURABLE)  # 8 epochs: another protocol than the paper's 60
    assert t1["setup"] == "CIFAR10 · AlexNet (test split, 8 epochs; the paper: test set, 60)"
    used.unlink()  # without it: the current config's classifier
    card = sc.build("fixture", results, expected=lambda stage, ds, clf: newest if stage == "classifier" else None)
    assert card["sources"]["classifier:cifar10:alexnet"]["matches_current_config"] is True


def test_bad_verdict_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'maybe' is not one of holds"):
        sc.Entry("claim", "x", "s", "setup", None, None, None, None, "maybe", "r")
    with pytest.raises(FileNotFoundError, match="no results folder .*colorcnn reproduce --profile nowhere"):
        sc.build("nowhere", tmp_path / "missing", expected=None)


def test_write_is_atomic_and_readme_block_updates(results: Path, tmp_path: Path) -> None:
    card = sc.build("fixture", results, expected=None)
    path = sc.write(card, tmp_path / "out" / "scorecard.json")
    assert json.loads(path.read_text()) == card and not list(path.parent.glob("*.tmp"))
    readme, doc = tmp_path / "README.md", tmp_path / "scorecard.md"
    block = "<!-- scorecard:begin profile=fixture -->\nold\n<!-- scorecard:end -->\n"
    readme.write_text(f"# title\n\n{block}\nafter\n")
    doc.write_text(f"# full\n\n{block}")
    assert sc.update_readme(card, readme, doc) and not sc.update_readme(card, readme, doc)
    text = readme.read_text()
    assert sc.readme_block(text) == ("fixture", sc.summary_markdown(card))
    assert sc.readme_block(doc.read_text()) == ("fixture", sc.to_markdown(card))
    assert text.endswith("<!-- scorecard:end -->\n\nafter\n")
    assert sc.readme_block(text)[1].startswith("Scorecard of the `fixture` profile: ")
    other = tmp_path / "OTHER.md"
    other.write_text("<!-- scorecard:begin profile=cpu -->\nkept\n<!-- scorecard:end -->\n")
    assert not sc.update_readme(card, other, other) and "kept" in other.read_text()  # another profile's block


def test_summary_block_tallies_sections_and_shows_the_holm_families_of_the_first_setup() -> None:
    def entry(source: str, verdict: str, family: str | None = None) -> dict:
        return {"section": "claim", "item": "x", "source": source, "setup": "s", "paper": None, "ours": None,
                "difference": None, "test": None, "verdict": verdict, "reason": "r", "family": family}

    card = {"profile": "fixture", "summary": {sc.HOLDS: 2, sc.FAILS: 1, sc.INCONCLUSIVE: 0, sc.UNMEASURABLE: 1},
            "entries": [entry("Sec. 4.2.2, Fig. 12", sc.HOLDS, "learned vs classical · CIFAR10 · AlexNet"),
                        entry("Sec. 4.1, Table 1", sc.UNMEASURABLE),
                        entry("Sec. 4.10", sc.FAILS, "learned vs classical · Tiny200 · AlexNet"),
                        entry("Sec. 4.2.2, Fig. 12", sc.HOLDS, "close · CIFAR10 · AlexNet")]}
    assert sc.section_tally(card) == [["section", *sc.VERDICTS], ["Sec. 4.1", "0", "0", "0", "1"],
                                      ["Sec. 4.2.2", "2", "0", "0", "0"], ["Sec. 4.10", "0", "1", "0", "0"]]
    assert sc.headline_numbers(card) == [1, 4]
    assert [r[0] for r in sc.rows(card, [1, 4])] == ["", "1", "4"]


def test_readme_block_is_up_to_date() -> None:
    """README.md's block must be what results/<profile>/scorecard.json renders to: regenerate both with
    `colorcnn scorecard --profile <profile>`."""
    block = sc.readme_block(sc.README.read_text())
    assert block is not None, "README.md has no <!-- scorecard:begin profile=... --> block"
    profile, content = block
    path = sc.scorecard_path(profile)
    assert path.exists(), f"{path} is missing: run `colorcnn scorecard --profile {profile}`"
    card = json.loads(path.read_text())
    assert all(e["verdict"] in sc.VERDICTS for e in card["entries"])
    regenerate = f"run `colorcnn scorecard --profile {profile}`"
    assert content == sc.summary_markdown(card), f"README.md's scorecard block is out of date with {path}: {regenerate}"
    assert sc.readme_block(sc.SCORECARD_DOC.read_text()) == (profile, sc.to_markdown(card)), (
        f"{sc.SCORECARD_DOC}'s block is out of date with {path}: {regenerate}")


def test_the_paper_s_colorcnn_plus_claims_under_both_readings(results: Path) -> None:
    """Each reading's evaluation (the longest ColorCNN+ of its L_RP schedule beside every classical method) gets
    its own rows, naming the reading and the epochs, in Holm families of their own. The authors'-code model
    here is 48 % at 1 bit against MedianCut's 40 % (p = 1e-4) and k-means' 49 % (p = 0.3)."""
    main = evaluation()
    gate = {**main, "config_key": "9999999999", "config": {"colorcnn_plus": {"epochs": 15}}, "methods": {
        **{m: main["methods"][m] for m in ("mediancut", "octree", "dither", "kmeans", "libimagequant")},
        "colorcnn+": curve(48, 60, 73, 74.5)}, "significance": {
        "1": {"mediancut vs colorcnn+": sig(1e-4), "kmeans vs colorcnn+": sig(0.3)},
        "2": {"mediancut vs colorcnn+": sig(1e-3), "kmeans vs colorcnn+": sig(0.2)},
        "5": {"mediancut vs colorcnn+": sig(0.5)}, "6": {"mediancut vs colorcnn+": sig(0.6)}}}
    path = write(results, "evaluation-cifar10-alexnet-9999999999.json", gate)
    expected = lambda stage, ds, clf: path if stage == "reading:gate" else None  # noqa: E731
    rows = by_item(sc.build("fixture", results, expected=expected)["entries"])
    reading = " — authors' code (L_RP off at C ≤ 8), 15 epochs"
    one = rows["ColorCNN+ − strongest of the paper's classical methods, 1 bit" + reading]
    assert (one["ours"], one["verdict"], one["p"]) == (pytest.approx(8.0), HOLDS, 1e-4)
    assert one["family"] == "1–2 bits: learned above the paper's classical methods" + reading + " · CIFAR10 · AlexNet"
    here = rows["ColorCNN+ − strongest of every classical method here, 1 bit" + reading]
    assert (here["ours"], here["verdict"]) == (pytest.approx(-1.0), INCONCLUSIVE)  # p 0.3
    close = rows["ColorCNN+ close to MedianCut, 6 bit (ColorCNN+ − MedianCut)" + reading]
    assert close["ours"] == pytest.approx(-0.5)
    assert not any("paper's text" in item for item in rows)  # no evaluation of that reading here


def test_adversarial_defense_rows_at_pgd_8_on_the_classifier(results: Path) -> None:
    """n = 500, undefended 0.6 % under PGD ε = 8: ColorCNN 40 % at C = 2 and 8 holds (intervals disjoint);
    ColorCNN+ 30 % at C = 2 but 0.4 % at C = 64 (intervals overlap) is inconclusive."""
    attacked = {"pgd": {"8": {"none": 0.006, "colorcnn": {"2": 0.40, "8": 0.40},
                              "colorcnn+": {"2": 0.30, "64": 0.004}}}}
    write(results, "adversarial-cifar10-alexnet-aaaaaaaaaa.json",
          {"data": data(count=500), "attack_then_quantize": attacked})
    rows = by_item(entries(results))
    one = rows["ColorCNN − undefended classifier under PGD ε = 8/255 on the classifier, quantized after it, per C "
               "(points)"]
    assert (one["verdict"], one["ours"]) == (HOLDS, {"C=2": pytest.approx(39.4), "C=8": pytest.approx(39.4)})
    plus = rows["ColorCNN+ − undefended classifier under PGD ε = 8/255 on the classifier, quantized after it, per C "
                "(points)"]
    assert plus["verdict"] == INCONCLUSIVE and "at C=2 of C=2, C=64" in plus["reason"]


def test_bitrate_and_fidelity_rows_from_per_image_spreads() -> None:
    """n = 10,000. ColorCNN+ − ColorCNN bpp at 5 bits +0.2 with s.d. 1 each: z = 0.2 / √(2/10,000) = 14.1, and at
    6 bits 0: inconclusive. Pixel error at 5 bits 100 against 150, s.d. 50 each: z = −70.7, more faithful."""
    ev = evaluation()
    for m, b, bpp, mse in (("colorcnn+", "5", 3.0, 100.0), ("colorcnn", "5", 2.8, 150.0), ("colorcnn+", "6", 3.0, 90.0),
                           ("colorcnn", "6", 3.0, 90.0)):
        ev["methods"][m][b].update(bpp=bpp, bpp_sd=1.0, mse=mse, mse_sd=50.0)
    found = sc.Found(Path("e.json"), ev, True)
    from colorcnn_repro.report.scorecard.rules import claim_fidelity, claim_plus_bits, mean_difference

    diff, z = mean_difference(found, ("colorcnn+", 5), ("colorcnn", 5), "bpp")
    assert diff == pytest.approx(0.2) and z == pytest.approx(0.2 / (2 / 10_000) ** 0.5)
    bits = claim_plus_bits(found, "s")
    assert bits.verdict == INCONCLUSIVE and "not significant at 6 bit" in bits.reason
    fidelity = claim_fidelity(found, "s")
    assert (fidelity.verdict, fidelity.ours) == (HOLDS, -50.0)
    del ev["methods"]["colorcnn"]["5"]["mse_sd"]
    assert claim_fidelity(found, "s").verdict == UNMEASURABLE
