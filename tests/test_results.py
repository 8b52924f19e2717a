"""Result files (colorcnn_repro.results): the naming rule and its parser, the schema stamp, example images
round-tripping through .npz, and the digests figures record."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from colorcnn_repro import results
from colorcnn_repro.paths import REPO_ROOT
from colorcnn_repro.profiles import get_config
from colorcnn_repro.quantized import Quantized


def test_result_name_round_trip() -> None:
    cfg = get_config("evaluate", "smoke")
    path = results.result_path(Path("/r"), "evaluation", cfg)
    part = results.parse_result_name(path)
    assert (part.name, part.dataset, part.classifier) == ("evaluation", "cifar10", "alexnet")
    assert len(part.key) == 10 and path.name == f"evaluation-cifar10-alexnet-{part.key}.json"
    assert results.parse_result_name("variants_lambda-cifar10-alexnet-c309cb9fc1.json").name == "variants_lambda"
    part = results.parse_result_name("multilabel_voc-voc2012-synthetic-alexnet-a4e99816dc.json")
    assert (part.name, part.dataset, part.classifier) == ("multilabel_voc", "voc2012-synthetic", "alexnet")


def test_parse_rejects_other_names() -> None:
    with pytest.raises(ValueError, match="'scorecard.json' is not a result file name"):
        results.parse_result_name("scorecard.json")


def test_write_stamps_schema_and_read_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "classifier-cifar10-alexnet-0123456789.json"
    out = results.write_result(path, {"metrics": {"accuracy": 0.5}})
    on_disk = json.loads(path.read_text())
    assert on_disk["schema"] == results.SCHEMA_VERSION == out["schema"]
    # where the file lies is the reader's to say, not the file's: it holds no path of the machine that wrote it
    assert "result_file" not in on_disk and out["result_file"] == str(path)
    results.write_result(tmp_path / "again.json", out)  # a result read and written back
    assert "result_file" not in json.loads((tmp_path / "again.json").read_text())
    assert results.read_result(path)["metrics"] == {"accuracy": 0.5}
    assert results.read_result(path, force=True) is None and results.read_result(tmp_path / "none.json") is None
    results.write_result(tmp_path / "other.json", {}, write=False)
    assert not (tmp_path / "other.json").exists()


def test_examples_round_trip(tmp_path: Path) -> None:
    """Two 2×2 images; one curve of two-colour index maps, one of RGB outputs: read back exactly."""
    images = np.arange(24, dtype=np.uint8).reshape(2, 2, 2, 3)
    index = np.array([[0, 1], [1, 0]], np.uint8)
    palette = np.array([[0, 0, 0], [255, 255, 255]], np.uint8)
    path = tmp_path / "evaluation_examples-cifar10-alexnet-0123456789.npz"
    ex = results.write_examples(path, images, ["0: cat", "1: dog"], {"mediancut 1": [Quantized(index, palette)] * 2},
                                {"soft": images[::-1]}, {"n": 2})
    assert ex.names == ["0: cat", "1: dog"] and ex.params == {"n": 2}
    assert np.array_equal(ex.images, images) and np.array_equal(ex.outputs["soft"], images[::-1])
    rgb = ex.quantized["mediancut 1"][1].to_rgb()
    assert rgb[0, 0].tolist() == [0, 0, 0] and rgb[0, 1].tolist() == [255, 255, 255]
    assert results.read_examples(tmp_path / "missing.npz") is None


def test_examples_sit_beside_their_result() -> None:
    path = results.examples_path("results/cpu/variants_lambda-cifar10-alexnet-c309cb9fc1.json")
    assert path.name == "variants_lambda_examples-cifar10-alexnet-c309cb9fc1.npz"
    assert path.parent == results.REPO_ROOT / "results" / "cpu"


def test_source_digests_are_sha256_of_the_files(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"{}\n")
    digest = hashlib.sha256(b"{}\n").hexdigest()
    assert results.source_digests([path]) == {str(path): digest}
    assert results.source_digests([{"result_file": str(path)}]) == {str(path): digest}


def test_compare_results_pairs_accuracies_of_same_named_files(tmp_path: Path) -> None:
    """MedianCut at 1 bit: 0.40 committed, 0.42 retrained; a file only one side holds is left out."""
    old, new = tmp_path / "old", tmp_path / "new"
    name = "evaluation-cifar10-alexnet-0123456789.json"
    results.write_result(old / name, {"methods": {"mediancut": {"1": {"accuracy": 0.40, "bpp": 1.0}}},
                                      "original": {"accuracy": 0.8}})
    results.write_result(new / name, {"methods": {"mediancut": {"1": {"accuracy": 0.42}}},
                                      "original": {"accuracy": 0.8}})
    results.write_result(new / "classifier-cifar10-alexnet-9999999999.json", {"metrics": {"accuracy": 0.9}})
    assert results.compare_results(old, new) == [(name, "methods/mediancut/1", 0.40, 0.42),
                                                 (name, "original", 0.8, 0.8)]


EVALUATION = {"methods": {"mediancut": {"2": {"accuracy": 0.5, "bpp": 1.5}, "1": {"accuracy": 0.25, "bpp": 1.0}},
                          "colorcnn": {"1": {"accuracy": 0.375, "bpp": 1.25}}}}


def test_scores_read_the_methods_with_int_bits() -> None:
    scores = results.Scores(EVALUATION)
    assert scores.methods == ["mediancut", "colorcnn"] and "colorcnn" in scores and "octree" not in scores
    assert scores.bits() == [1, 2] and scores.bits("colorcnn") == [1]
    assert scores.accuracy("colorcnn", 1) == 0.375 and scores.metrics("mediancut", 2)["bpp"] == 1.5
    assert scores.find("colorcnn", 2) is None and scores.find("octree", 1) is None
    assert list(scores.per_bits("mediancut")) == [1, 2]  # ascending, whatever the file's order
    assert scores.map(lambda m: m["bpp"]) == {"mediancut": {"2": 1.5, "1": 1.0}, "colorcnn": {"1": 1.25}}


def test_scores_name_what_a_result_holds_when_asked_for_what_it_lacks() -> None:
    with pytest.raises(KeyError, match=r"no colorcnn at 2 bit .* mediancut: \[1, 2\]; colorcnn: \[1\]"):
        results.Scores(EVALUATION).accuracy("colorcnn", 2)


def test_variant_scores_keep_the_study_order() -> None:
    study = {"variants": {"b": EVALUATION, "a": {"methods": {"octree": {"3": {"accuracy": 0.75}}}}}}
    variants = results.variant_scores(study)
    assert list(variants) == ["b", "a"] and variants["a"].accuracy("octree", 3) == 0.75


def test_only_the_results_module_digs_scores_out_of_a_result() -> None:
    """Every reader goes through Scores: no raw ``["methods"]`` look-up elsewhere in the package or the benchmarks
    (``params["methods"]``, a study's list of method ids, is not a score)."""
    repo = Path(__file__).resolve().parent.parent
    found = [f"{path.relative_to(repo)}:{n}" for folder in ("colorcnn_repro", "benchmarks")
             for path in sorted((repo / folder).rglob("*.py")) if path.name != "results.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if '["methods"]' in line.replace('params"]["methods"]', "").replace('params["methods"]', "")]
    assert not found, f"raw ['methods'] look-ups outside colorcnn_repro/results.py: {found}"


def test_longest_rows_are_the_last_cycle_end_of_each_own_recipe_run() -> None:
    rows = [{"model": m, "epochs": e, "bits": b} for m, e, b in
            [("A", 1, 1), ("A", 3, 1), ("A", 3, 2), ("B", 1, 1), ("wide", 7, 1)]]
    curve = {"models": {"A": {"overrides": {}}, "B": {"overrides": {}}, "wide": {"overrides": {"colorcnn.width": 32}}},
             "rows": rows}
    assert results.longest_rows(curve) == {"A": rows[1:3], "B": [rows[3]]}


@pytest.mark.skipif(shutil.which("git") is None or not (REPO_ROOT / ".git").exists(), reason="not a git checkout")
def test_git_ignores_what_the_smoke_profile_writes_and_tracks_the_cpu_profile() -> None:
    """CI and the tests write smoke results, figures and run archives into the working copy: none is committable;
    the cpu profile's are."""
    folders = ("results", "figures", "checkpoints")

    def ignored(profile: str) -> list[bool]:
        return [subprocess.run(["git", "check-ignore", "-q", f"{folder}/{profile}/x.json"], cwd=REPO_ROOT,
                               check=False).returncode == 0 for folder in folders]

    assert ignored("smoke") == [True] * 3 and ignored("cpu") == [False] * 3
