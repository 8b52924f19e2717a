"""The ``colorcnn`` command: quantize (classical and learned), stage commands, reproduce, and one-line errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from PIL import Image

from colorcnn_repro import zoo
from colorcnn_repro.cli import main
from colorcnn_repro.models import ColorCNN, ColorCNNPlus, build_normalized_classifier, quantizer_checkpoint
from colorcnn_repro.paths import REPO_ROOT as REPO
from colorcnn_repro.profiles import get_config
from colorcnn_repro.quantizers import METHODS
from colorcnn_repro.store import run_dir


def noise(height: int = 30, width: int = 40, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def save(image: Image.Image | np.ndarray, path: Path) -> Path:
    (image if isinstance(image, Image.Image) else Image.fromarray(image)).save(path)
    return path


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """``main(argv)`` in-process: (exit status, stdout, stderr); argparse exits become statuses."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("colorcnn") and "error:" in lines[0] and "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """Runs, caches and results JSON under tmp_path, never in the repository."""
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("COLORCNN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("COLORCNN_RESULTS", str(tmp_path / "results"))


@pytest.fixture
def image(tmp_path) -> Path:
    return save(noise(), tmp_path / "photo.png")


@pytest.mark.parametrize("method", list(METHODS))
def test_quantize_writes_indexed_pngs(tmp_path, capsys, image: Path, method: str) -> None:
    code, out, _ = run(["quantize", image, "--method", method, "--colors", 8, "--out", tmp_path / "out"], capsys)
    assert code == 0
    written = tmp_path / "out" / f"photo-{method}-8.png"
    with Image.open(written) as png:
        assert png.mode == "P" and png.size == (40, 30)
        assert len(png.convert("RGB").getcolors()) <= 8
    assert "bpp" in out and str(written) in out


def test_quantize_json(tmp_path, capsys, image: Path) -> None:
    second = save(noise(seed=1), tmp_path / "second.jpg")
    code, out, _ = run(["quantize", image, second, "--method", "octree", "--colors", 4, "--out", tmp_path / "out",
                        "--json"], capsys)
    assert code == 0
    rows = json.loads(out)
    assert [Path(r["input"]).name for r in rows] == ["photo.png", "second.jpg"]
    for row in rows:
        assert row["method"] == "octree" and row["colors"] == 4 and 1 <= row["colors_used"] <= 4
        assert (row["width"], row["height"]) == (40, 30)
        assert row["bpp"] == pytest.approx(8 * os.path.getsize(row["output"]) / (40 * 30))


def test_quantize_folder(tmp_path, capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.png", "b.bmp"):
        save(noise(), folder / name)
    (folder / "notes.txt").write_text("not an image")
    code, out, _ = run(["quantize", folder, "--method", "mediancut", "--colors", 2, "--out", tmp_path / "out",
                        "--json"], capsys)
    assert code == 0
    assert sorted(Path(r["output"]).name for r in json.loads(out)) == ["a-mediancut-2.png", "b-mediancut-2.png"]


def test_classical_quantize_and_help_do_not_import_torch(tmp_path, image: Path) -> None:
    script = (f"import sys\nfrom colorcnn_repro.cli import main\n"
              f"assert main(['quantize', {str(image)!r}, '--method', 'mediancut', '--colors', '4', "
              f"'--out', {str(tmp_path / 'out')!r}]) == 0\n"
              "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
              "print(sorted(m for m in ('torch', 'torchvision') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_quantize_warns_when_fewer_than_half_the_colours_are_used(tmp_path, capsys) -> None:
    two = save(np.repeat(np.array([[[0, 0, 0]], [[255, 255, 255]]], np.uint8), 8, axis=1), tmp_path / "two.png")
    code, out, err = run(["quantize", two, "--method", "mediancut", "--colors", 8, "--out", tmp_path / "out",
                          "--json"], capsys)
    assert code == 0 and json.loads(out)[0]["colors_used"] == 2
    assert err.strip() == f"colorcnn: warning: {two}: mediancut used 2 of the 8 colours asked for (fewer than half)"
    code, _, err = run(["quantize", two, "--method", "mediancut", "--colors", 4, "--out", tmp_path / "out"], capsys)
    assert code == 0 and err == ""


@pytest.mark.parametrize("profile", [None, "cpu", "smoke"])
def test_learned_lookup_uses_smoke_only_when_asked_and_says_so(tmp_path, capsys, monkeypatch, image: Path,
                                                                profile: str | None) -> None:
    asked: list[str] = []

    def fake(name, dataset, classifier, colors, profile):
        asked.append(profile)
        torch.manual_seed(0)
        return ColorCNNPlus(width=4)

    monkeypatch.setattr(zoo.methods, "load_pretrained", fake)
    code, _, err = run(["quantize", image, "--method", "colorcnn+", "--colors", 2, "--out", tmp_path / "out",
                        *(["--profile", profile] if profile else [])], capsys)
    assert code == 0, err
    assert asked == [profile or "cpu"]
    said = [line for line in err.splitlines() if "smoke-profile" in line]
    assert said == (["colorcnn: warning: using the smoke-profile colorcnn+ model (trained for minutes on a few "
                     "hundred images): its outputs check the pipeline and say nothing about the method"]
                    if profile == "smoke" else [])


@pytest.mark.parametrize("kind", ["rgba", "greyscale", "palette", "16-bit"])
def test_quantize_converts_other_image_modes(tmp_path, capsys, kind: str) -> None:
    rgb = noise()
    image = {
        "rgba": lambda: Image.fromarray(np.dstack([rgb, np.full(rgb.shape[:2], 100, np.uint8)])),
        "greyscale": lambda: Image.fromarray(rgb[:, :, 0]),
        "palette": lambda: Image.fromarray(rgb).quantize(32),
        "16-bit": lambda: Image.fromarray(rgb[:, :, 0].astype(np.uint16) * 257),
    }[kind]()
    path = save(image, tmp_path / f"{kind}.png")
    code, out, err = run(["quantize", path, "--method", "kmeans", "--colors", 4, "--out", tmp_path / "out",
                          "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)[0]["colors_used"] <= 4


def bad_input(tmp_path: Path, case: str) -> tuple[list, str]:
    """argv for a bad invocation, and a fragment its error line must contain."""
    good = save(noise(), tmp_path / "good.png")
    out = ["--out", tmp_path / "out"]
    if case == "1x1 image":
        return [save(noise(1, 1), tmp_path / "dot.png"), "--method", "mediancut", "--colors", 4, *out], "dot.png"
    if case == "non-image file":
        text = tmp_path / "notes.png"
        text.write_text("hello")
        return [text, "--method", "octree", "--colors", 4, *out], "not an image file"
    if case == "empty folder":
        (tmp_path / "empty").mkdir()
        return [tmp_path / "empty", "--method", "octree", "--colors", 4, *out], "no images found in"
    if case == "missing file":
        return [tmp_path / "missing.png", "--method", "octree", "--colors", 4, *out], "missing.png"
    if case == "unknown method":
        return [good, "--method", "popularity", "--colors", 4, *out], "invalid choice"
    if case == "non-integer colours":
        return [good, "--method", "octree", "--colors", "many", *out], "--colors"
    if case == "checkpoint with a classical method":
        return [good, "--method", "octree", "--colors", 4, "--checkpoint", good, *out], "--checkpoint"
    if case == "same stem twice":
        other = tmp_path / "sub"
        other.mkdir()
        return [good, save(noise(), other / "good.png"), "--method", "octree", "--colors", 4, *out], "good-octree-4"
    colors = {"C=1": 1, "C=257": 257}[case]
    return [good, "--method", "octree", "--colors", colors, *out], "colors must be an integer in 2..256"


@pytest.mark.parametrize("case", ["1x1 image", "C=1", "C=257", "non-image file", "empty folder", "missing file",
                                  "unknown method", "non-integer colours", "checkpoint with a classical method",
                                  "same stem twice"])
def test_quantize_bad_inputs_fail_in_one_line(tmp_path, capsys, case: str) -> None:
    argv, fragment = bad_input(tmp_path, case)
    code, _, err = run(["quantize", *argv], capsys)
    assert_one_line_error(code, err, fragment)


@pytest.fixture
def checkpoints(tmp_path) -> dict[str, Path]:
    torch.manual_seed(0)
    paths = {"colorcnn+": tmp_path / "plus.pt", "colorcnn": tmp_path / "colorcnn4.pt"}
    torch.save(quantizer_checkpoint(ColorCNNPlus(width=4)), paths["colorcnn+"])
    torch.save(quantizer_checkpoint(ColorCNN(4, width=4)), paths["colorcnn"])
    return paths


@pytest.mark.parametrize("method", ["colorcnn", "colorcnn+"])
def test_quantize_learned_any_size(tmp_path, capsys, checkpoints, method: str) -> None:
    path = save(noise(23, 37), tmp_path / "odd.png")
    code, out, err = run(["quantize", path, "--method", method, "--colors", 4, "--checkpoint", checkpoints[method],
                          "--out", tmp_path / "out", "--json"], capsys)
    assert code == 0, err
    row = json.loads(out)[0]
    with Image.open(row["output"]) as png:
        assert png.mode == "P" and png.size == (37, 23)
        assert len(png.convert("RGB").getcolors()) <= 4
    assert (row["width"], row["height"]) == (37, 23)


@pytest.mark.parametrize(("method", "colors", "checkpoint", "fragment"), [
    ("colorcnn", 8, "colorcnn", "built for C=4 colours, got C=8"),
    ("colorcnn+", 4, "colorcnn", "holds a 'colorcnn' model but 'colorcnn+' was requested"),
    ("colorcnn", 4, "colorcnn+", "holds a 'colorcnn+' model but 'colorcnn' was requested"),
    ("colorcnn+", 4, "missing", "missing.pt"),
    ("colorcnn+", 4, "image", "is not a checkpoint"),
])
def test_quantize_learned_errors(tmp_path, capsys, checkpoints, image: Path, method: str, colors: int,
                                 checkpoint: str, fragment: str) -> None:
    path = {**checkpoints, "missing": tmp_path / "missing.pt", "image": image}[checkpoint]
    code, _, err = run(["quantize", image, "--method", method, "--colors", colors, "--checkpoint", path,
                        "--out", tmp_path / "out"], capsys)
    assert_one_line_error(code, err, fragment)
    assert not (tmp_path / "out").exists()


def test_quantize_learned_without_zoo_model(tmp_path, capsys, image: Path) -> None:
    code, _, err = run(["quantize", image, "--method", "colorcnn+", "--colors", 4, "--profile", "smoke",
                        "--out", tmp_path / "out"], capsys)
    assert_one_line_error(code, err, "no pretrained 'colorcnn+'", "colorcnn train-colorcnn-plus --profile smoke")


def test_quantize_checkpoint_is_a_file_or_a_zoo_tag(tmp_path, capsys, image: Path) -> None:
    code, _, err = run(["quantize", image, "--method", "colorcnn+", "--colors", 4, "--checkpoint", "colorcnn+/no/tag",
                        "--out", tmp_path / "out"], capsys)
    assert_one_line_error(code, err, "--checkpoint 'colorcnn+/no/tag' is neither a file nor a zoo tag",
                          "tags: classifier/cifar10/alexnet/cpu")


@pytest.mark.parametrize(("colors", "fragment"), [
    (3, "ColorCNN is trained for C = 2**bits only (C=2, 4, 8, 16, 32, 64, 128, 256)"),
    (8, "train it with `colorcnn train-colorcnn --profile smoke --colors 8`"),
])
def test_quantize_colorcnn_without_zoo_model_names_a_command_that_trains_it(tmp_path, capsys, image: Path,
                                                                            colors: int, fragment: str) -> None:
    code, _, err = run(["quantize", image, "--method", "colorcnn", "--colors", colors, "--profile", "smoke",
                        "--out", tmp_path / "out"], capsys)
    assert_one_line_error(code, err, "no pretrained 'colorcnn'", fragment)


@pytest.mark.parametrize(("argv", "fragment"), [
    (["train-classifier", "--profile", "smoke", "--set", "no_such_field=1"], "unknown setting 'no_such_field'"),
    (["train-colorcnn", "--set", "epochs"], "expected KEY=VALUE"),
    (["train-colorcnn", "--colors", "3"], "invalid choice"),
    (["evaluate", "--profile", "huge"], "invalid choice"),
    (["train-colorcnn-plus", "--device", "abacus"], "invalid torch device"),
    (["reproduce", "--notebooks", "/no/such/folder"], "/no/such/folder"),
    ([], "COMMAND"),
], ids=["unknown setting", "--set without =", "colours not a power of two", "unknown profile", "bad device",
        "missing notebook folder", "no command"])
def test_command_errors_fail_in_one_line(capsys, argv: list[str], fragment: str) -> None:
    code, _, err = run(argv, capsys)
    assert_one_line_error(code, err, fragment)


def npz_set(path: Path, labels: list[int], seed: int = 0) -> Path:
    np.savez(path, images=np.stack([noise(32, 32, seed + i) for i in range(len(labels))]), labels=np.array(labels))
    return path


def test_evaluate_reports_missing_classifier(tmp_path, capsys) -> None:
    code, _, err = run(["evaluate", "--profile", "smoke", "--npz", npz_set(tmp_path / "mine.npz", [0, 1])], capsys)
    assert_one_line_error(code, err, "train it first")


def test_evaluate_reports_missing_npz(tmp_path, capsys) -> None:
    code, _, err = run(["evaluate", "--profile", "smoke", "--npz", tmp_path / "none.npz"], capsys)
    assert_one_line_error(code, err, "no .npz file at", "none.npz")


@pytest.fixture
def smoke_classifier() -> None:
    """An untrained 10-class AlexNet stored as the smoke profile's classifier run."""
    torch.manual_seed(0)
    model = build_normalized_classifier("alexnet", 10, "cifar10")
    torch.save({"kind": "classifier", "name": "alexnet", "num_classes": 10, "dataset": "cifar10", "multilabel": False,
                "state_dict": model.state_dict()},
               run_dir("classifier", get_config("classifier", "smoke")) / "model.pt")


QUICK_EVALUATION = ["--profile", "smoke", "--device", "cpu", "--set", 'methods=["mediancut"]', "--set", "bits=[1]",
                    "--set", "jpeg_qualities=[50]"]


@pytest.mark.parametrize(("labels", "bad"), [([0, 10], "10"), ([-1, 3], "-1")])
def test_evaluate_npz_refuses_labels_outside_the_classes(tmp_path, capsys, smoke_classifier, labels, bad) -> None:
    path = npz_set(tmp_path / "set.npz", labels)
    code, _, err = run(["evaluate", "--npz", path, *QUICK_EVALUATION], capsys)
    assert_one_line_error(code, err, f"label {bad} is not one of the classifier's 10 classes", "accepted: 0..9")


def test_evaluate_npz_with_fewer_labels_than_images_stops_before_any_work(tmp_path, capsys,
                                                                         smoke_classifier) -> None:
    path = tmp_path / "set.npz"
    np.savez(path, images=np.stack([noise(32, 32, i) for i in range(10)]), labels=np.arange(5))
    code, _, err = run(["evaluate", "--npz", path, *QUICK_EVALUATION], capsys)
    assert_one_line_error(code, err, "holds 10 images but 5 labels", "one label per image")
    assert not list((tmp_path / "results").rglob("*.json"))


def test_evaluate_npz_of_sides_not_multiples_of_16(tmp_path, capsys, smoke_classifier) -> None:
    """30×30 images: the learned quantizer pads them as `quantize` does, and the evaluation is written."""
    path = tmp_path / "odd.npz"
    np.savez(path, images=np.stack([noise(30, 30, i) for i in range(4)]), labels=np.arange(4))
    plus = ColorCNNPlus(width=4, depth=64)
    torch.save(quantizer_checkpoint(plus),
               run_dir("colorcnn+", get_config("colorcnn+", "smoke")) / "model.pt")
    code, out, err = run(["evaluate", "--npz", path, *QUICK_EVALUATION, "--set", 'methods=["mediancut","colorcnn+"]'],
                         capsys)
    assert code == 0, err
    assert "colorcnn+" in out and Path(out.split("results: ")[1].strip()).exists()


def test_a_set_value_of_the_wrong_type_stops_training_before_any_work(capsys) -> None:
    code, _, err = run(["train-colorcnn", "--profile", "smoke", "--colors", "2", "--set", "colorcnn.epochs=abc"],
                       capsys)
    assert_one_line_error(code, err, "setting 'colorcnn.epochs' needs int, got 'abc'")


def test_curve_names_an_unknown_run(capsys) -> None:
    code, _, err = run(["curve", "--profile", "smoke", "--model", "NOSUCH"], capsys)
    assert_one_line_error(code, err, "no run 'NOSUCH' in the compute curve", "accepted: ColorCNN C=2, ColorCNN+")


def test_evaluate_with_your_own_quantizer_as_the_docs_show(tmp_path, capsys, smoke_classifier) -> None:
    """docs/compare-your-quantizer.md: the worked example evaluated beside MedianCut, written to the same schema
    with McNemar against it; a spec that cannot be loaded stops with one line before any work."""
    mine = f"{REPO / 'docs' / 'examples' / 'luminance_bins.py'}:LuminanceBins"
    code, out, err = run(["evaluate", "--npz", npz_set(tmp_path / "set.npz", [0, 1, 2, 3]), *QUICK_EVALUATION,
                          "--method", mine], capsys)
    assert code == 0, err
    result = json.loads(Path(out.split("results: ")[1].strip()).read_text())
    assert set(result["methods"]) == {"mediancut", mine} and result["config"]["methods"] == ["mediancut", mine]
    assert set(result["significance"]["1"]) == {f"mediancut vs {mine}"}
    code, _, err = run(["evaluate", "--npz", tmp_path / "set.npz", *QUICK_EVALUATION, "--method", "nosuch:Q"], capsys)
    assert_one_line_error(code, err, "quantizer module 'nosuch' not found")


def test_evaluate_npz_results_are_keyed_by_content(tmp_path, capsys, smoke_classifier) -> None:
    def results(seed: int) -> Path:
        code, out, err = run(["evaluate", "--npz", npz_set(tmp_path / "set.npz", [0, 1, 2, 3], seed),
                              *QUICK_EVALUATION], capsys)
        assert code == 0, err
        path = Path(out.split("results: ")[1].strip())
        assert path.exists() and path.name.startswith("evaluation-set-")
        return path

    first = results(0)
    assert results(0) == first and results(4) != first  # same name, other images: other results


@pytest.mark.slow
@pytest.mark.parametrize("data", ["real", "sample"])
def test_train_classifier_smoke(tmp_path, capsys, request, data: str) -> None:
    root = request.getfixturevalue("cifar10_data") if data == "real" else tmp_path / "no-data"
    code, out, err = run(["train-classifier", "--profile", "smoke", "--set", "epochs=1", "--set", "limit_train=64",
                          "--device", "cpu", "--data-root", root], capsys)
    assert code == 0, err
    assert "accuracy=" in out
    said = [line for line in err.splitlines() if "CIFAR-10 not found" in line]
    assert bool(said) == (data == "sample")
    assert all(line.startswith(f"colorcnn: warning: CIFAR-10 not found under {root}") for line in said)
    results = Path(out.split("results: ")[1].strip())
    assert results.parent == tmp_path / "results" / "smoke"
    assert json.loads(results.read_text())["metrics"]["accuracy"] >= 0


def notebook(path: Path, *cells: str) -> None:
    """Write a notebook whose first cell is the papermill ``parameters`` cell."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell('profile = "cpu"', metadata={"tags": ["parameters"]}),
                *(nbformat.v4.new_code_cell(c) for c in cells)]
    nbformat.write(nb, path)


def test_reproduce_runs_in_order_and_stops_at_the_first_failure(tmp_path, capsys) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook(folder / "01_ok.ipynb", "assert profile == 'smoke'")
    notebook(folder / "02_fail.ipynb", "x = 1", "1 / 0")
    notebook(folder / "03_never.ipynb", "pass")
    notebook(folder / "helper.ipynb", "raise RuntimeError('not a numbered notebook')")
    out = tmp_path / "executed"
    code, stdout, err = run(["reproduce", "--profile", "smoke", "--notebooks", folder, "--out", out], capsys)
    assert_one_line_error(code, err, "02_fail.ipynb", "ZeroDivisionError")
    assert "01_ok.ipynb" in stdout
    assert sorted(p.name for p in out.iterdir()) == ["01_ok.ipynb", "02_fail.ipynb"]
    assert "failed in cell 3 (In [4]: `1 / 0`)" in err  # after parameters, injected parameters, x = 1


def test_reproduce_only_runs_the_selected_numbers(tmp_path, capsys) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook(folder / "01_skip.ipynb", "raise RuntimeError('not selected')")
    notebook(folder / "02_ok.ipynb", "pass")
    out = tmp_path / "executed"
    code, stdout, err = run(["reproduce", "--notebooks", folder, "--out", out, "--only", "02"], capsys)
    assert code == 0, err
    assert [p.name for p in out.iterdir()] == ["02_ok.ipynb"]
    code, _, err = run(["reproduce", "--notebooks", folder, "--out", out, "--only", "07"], capsys)
    assert_one_line_error(code, err, "no notebook numbered 07", "accepted: 01, 02")


def test_reproduce_needs_numbered_notebooks(tmp_path, capsys) -> None:
    code, _, err = run(["reproduce", "--notebooks", tmp_path], capsys)
    assert_one_line_error(code, err, "no notebooks named NN_*.ipynb")


def test_console_script_help() -> None:
    script = Path(sys.executable).with_name("colorcnn")
    assert script.exists(), "console script missing: pip install -e . (pyproject declares colorcnn)"
    done = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for command in ("quantize", "train-classifier", "train-colorcnn", "train-colorcnn-plus", "evaluate", "reproduce"):
        assert command in done.stdout


def test_reproduce_forbids_training_unless_asked(tmp_path, capsys, monkeypatch) -> None:
    """The notebooks' kernels see COLORCNN_NO_TRAINING set (a missing model stops them) unless --train-missing;
    this process's environment is left as it was."""
    from colorcnn_repro.training.runs import NO_TRAINING_ENV

    monkeypatch.delenv(NO_TRAINING_ENV, raising=False)
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for flag, expected in (([], "1"), (["--train-missing"], "")):
        notebook(folder / "01_env.ipynb", f"import os\nassert os.environ.get({NO_TRAINING_ENV!r}) == {expected!r}")
        code, _, err = run(["reproduce", "--notebooks", folder, "--out", tmp_path / "out", *flag], capsys)
        assert code == 0, err
    assert NO_TRAINING_ENV not in os.environ


def test_a_missing_model_is_not_trained_when_training_is_off(tmp_path, monkeypatch) -> None:
    """With training off, asking for an untrained classifier raises, naming the run and the flag, and leaves no
    run folder behind."""
    from colorcnn_repro.profiles import get_config
    from colorcnn_repro.training.loops import train_classifier
    from colorcnn_repro.training.runs import NO_TRAINING_ENV, TrainingForbidden

    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv(NO_TRAINING_ENV, "1")
    cfg = get_config("classifier", "smoke", {"epochs": 97})
    with pytest.raises(TrainingForbidden, match=r"classifier model classifier-[0-9a-f]{10} .*--train-missing"):
        train_classifier(cfg)
    assert not (tmp_path / "runs").exists()


def test_bench_and_lab_are_subcommands(capsys) -> None:
    """The benchmarks and JupyterLab start from `colorcnn`; what follows the name goes to them unparsed."""
    from colorcnn_repro.cli import build_parser

    args = build_parser().parse_args(["bench", "train_step", "--steps", "1", "--width", "8"])
    assert (args.name, args.args) == ("train_step", ["--steps", "1", "--width", "8"])
    assert build_parser().parse_known_args(["lab", "--port", "8899"])[1] == ["--port", "8899"]
    code, _, err = run(["train-colorcnn-plus", "--port", "8899"], capsys)
    assert code != 0 and "unrecognized arguments: --port 8899" in err
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "no_such_benchmark"])


def test_reproduce_retrain_starts_empty_and_tables_the_differences(tmp_path, capsys, monkeypatch) -> None:
    """--retrain DIR: the notebooks see every folder moved under DIR (an empty zoo, training on) and the run ends
    with each accuracy of a result file beside the committed one of the same name: 40 % then 42 %, +2 points."""
    name = "evaluation-cifar10-alexnet-0123456789.json"
    committed = tmp_path / "committed"
    (committed / "smoke").mkdir(parents=True)
    (committed / "smoke" / name).write_text(json.dumps({"methods": {"mediancut": {"1": {"accuracy": 0.40}}}}))
    monkeypatch.setenv("COLORCNN_RESULTS", str(committed))
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook(folder / "01_write.ipynb", f"""import json, os, pathlib
assert os.environ["COLORCNN_ZOO"].endswith("retrained/zoo") and os.environ["COLORCNN_NO_TRAINING"] == ""
out = pathlib.Path(os.environ["COLORCNN_RESULTS"]) / "smoke"
out.mkdir(parents=True)
(out / {name!r}).write_text(json.dumps({{"methods": {{"mediancut": {{"1": {{"accuracy": 0.42}}}}}}}}))""")
    retrained = tmp_path / "retrained"
    code, out, err = run(["reproduce", "--profile", "smoke", "--notebooks", folder, "--out", tmp_path / "executed",
                          "--retrain", retrained], capsys)
    assert code == 0, err
    row = f"| {name} | methods/mediancut/1 | 40.00         | 42.00         | +2.00               |"
    assert row in out and row in (retrained / "differences.md").read_text()
    code, _, err = run(["reproduce", "--notebooks", folder, "--out", tmp_path / "executed", "--retrain", retrained],
                       capsys)
    assert_one_line_error(code, err, "--retrain needs a new or empty folder", str(retrained))
