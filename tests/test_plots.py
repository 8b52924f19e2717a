"""Figures from a small fake evaluation result; save_figure writes deterministic PNG + PDF."""
from __future__ import annotations

import hashlib
import itertools
import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from colorcnn_repro import (  # noqa: E402
    paper_numbers,  # noqa: E402
    paths,
    plots,
)

METHODS = ("mediancut", "octree", "dither", "colorcnn", "colorcnn+")
BITS = (1, 2, 3)


def fake_result() -> dict:
    methods = {m: {str(b): {"accuracy": 0.1 * b + 0.01 * i, "colors_used": 2.0**b - 0.5, "bpp": 0.3 * b + 0.05 * i}
                   for b in BITS} for i, m in enumerate(METHODS)}
    significance = {str(b): {f"{a} vs {z}": {"p": 1e-5 if "colorcnn" in z and b == 1 else 0.5,
                                             "stars": "★★★" if "colorcnn" in z and b == 1 else ""}
                             for a, z in itertools.combinations(METHODS, 2)} for b in BITS}
    return {"profile": "smoke", "config": {"classifier": {"classifier": "alexnet", "data": {"dataset": "cifar10"}}},
            "data": {"name": "cifar10", "split": "val", "count": 100}, "original": {"accuracy": 0.8},
            "methods": methods, "significance": significance,
            "jpeg": [{"quality": q, "accuracy": 0.5 + q / 200, "bpp": 4 + q / 10} for q in (10, 50, 90)]}


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_accuracy_vs_colors_stars_only_where_significant():
    fig = plots.accuracy_vs_colors(fake_result(), paper=paper_numbers.table4_main_rows())
    ax = fig.axes[0]
    stars = [t for t in ax.texts if t.get_text() == plots.BETTER]
    assert len(stars) == 2  # ColorCNN and ColorCNN+ at 1 bit, nowhere else
    assert all(t.xy[0] == 1 for t in stars)
    assert not [t for t in ax.texts if t.get_text() == plots.WORSE]
    assert "above / below MedianCut at raw paired McNemar p < 0.001" in ax.get_title()
    assert plots.BETTER not in {s["marker"] for s in plots.METHOD_STYLE.values()}  # a mark is no method's marker
    labels = [line.get_label() for line in ax.get_lines()]
    assert "ColorCNN+" in labels and "paper: MedianCut" in labels
    assert "smoke profile" in ax.get_title() and "N=100" in ax.get_title()


def test_accuracy_vs_colors_marks_significantly_worse_points_apart():
    result = fake_result()
    result["methods"]["colorcnn"]["1"]["accuracy"] = 0.05  # below MedianCut's 0.10, p = 1e-5
    ax = plots.accuracy_vs_colors(result).axes[0]
    marks = {(t.get_text(), t.xy[0], round(t.xy[1], 6)) for t in ax.texts}
    assert marks == {(plots.WORSE, 1, 5.0), (plots.BETTER, 1, 14.0)}


def test_longer_trained_points_carry_their_own_marks():
    """A 31-epoch point 8.9 points above MedianCut at p = 1e-33 is marked; one at p = 0.01 is not."""
    longer = [("colorcnn", "ColorCNN C=2, 31 epochs", {1: {"accuracy": 0.54, "lead_mediancut": 8.9,
                                                             "p_mediancut": 1e-33}}),
              ("colorcnn+", "ColorCNN+, 31 epochs", {2: {"accuracy": 0.63, "lead_mediancut": 1.1,
                                                         "p_mediancut": 0.01}})]
    ax = plots.accuracy_vs_colors(fake_result(), longer=longer).axes[0]
    assert (plots.BETTER, 1, 54.0) in {(t.get_text(), t.xy[0], round(t.xy[1], 6)) for t in ax.texts}
    assert not [t for t in ax.texts if t.xy[0] == 2]


def test_accuracy_vs_bpp_has_jpeg_and_marker_line():
    fig = plots.accuracy_vs_bpp(fake_result())
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert any(label.startswith("JPEG") for label in labels)
    assert "paper's \"0.2 bpp\" read as bytes/pixel, as the authors' code measures it (1.6 bits)" in labels
    marker = next(line for line in fig.axes[0].get_lines() if line.get_label().startswith("paper's"))
    assert list(marker.get_xdata()) == [1.6, 1.6]
    legend = fig.axes[0].get_legend()
    assert legend.get_bbox_to_anchor().x0 > fig.axes[0].get_window_extent().x1  # beside the axes, off the data
    jpeg = next(line for line in fig.axes[0].get_lines() if line.get_label().startswith("JPEG"))
    assert jpeg.get_linestyle() == ":"


def test_image_grid_shape_and_captions():
    img = np.zeros((8, 8, 3), np.uint8)
    rows = {"a": [img, img, None], "b": [img, np.ones((3, 8, 8), np.float32), img]}
    fig = plots.image_grid(rows, ["x", "y", "z"], captions={"a": ["1", "2", "3"], "b": ["4", "5", "6"]})
    assert len(fig.axes) == 6
    assert fig.axes[0].get_title() == "x" and fig.axes[0].get_ylabel() == "a"
    assert fig.axes[5].get_xlabel() == "6"
    with pytest.raises(ValueError, match="panels"):
        plots.image_grid({"a": [img]}, ["x", "y"])
    with pytest.raises(ValueError, match="captions"):
        plots.image_grid(rows, ["x", "y", "z"], captions=[["1", "2", "3"]])


def test_save_figure_writes_png_and_pdf_deterministically(tmp_path, monkeypatch):
    monkeypatch.setenv("COLORCNN_FIGURES", str(tmp_path / "figs"))
    source = tmp_path / "result.json"
    source.write_text("{}\n")
    digests = []
    for _ in range(2):
        fig = plots.accuracy_vs_colors(fake_result())
        png, pdf = plots.save_figure(fig, "fig12", "smoke", sources=[source])
        assert png == tmp_path / "figs" / "smoke" / "fig12.png" and pdf.suffix == ".pdf"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and pdf.read_bytes()[:5] == b"%PDF-"
        digests.append([hashlib.sha256(p.read_bytes()).hexdigest() for p in (png, pdf)])
        plt.close(fig)
    assert digests[0] == digests[1]
    assert b"CreationDate" not in pdf.read_bytes()
    assert json.loads(Image.open(png).text[plots.SOURCES_KEY]) == {str(source): hashlib.sha256(b"{}\n").hexdigest()}
    with pytest.raises(ValueError, match="plain file name"):
        plots.save_figure(fig, "../escape", "smoke", sources=[])


def test_figures_root_is_repo_anchored(monkeypatch, tmp_path):
    monkeypatch.delenv("COLORCNN_FIGURES", raising=False)
    monkeypatch.chdir(tmp_path)
    assert plots.figures_root() == paths.REPO_ROOT / "figures"
    assert (paths.REPO_ROOT / "pyproject.toml").exists()


def test_table_beside_paper_and_jpeg_check():
    result = fake_result()
    md = paper_numbers.table_beside_paper(result, paper_numbers.table4_main_rows())
    assert "| ColorCNN+" in md and "p=1e-05 ★★★" in md
    rows = paper_numbers.table_beside_paper(result, paper_numbers.table4_main_rows(), markdown=False)
    assert rows[0] == ["method", "source", "1 bit", "2 bit", "3 bit"]
    assert ["", "paper", "19.9", "39.7", "50.3"] in rows  # ColorCNN+ (λ=3) from Table 4
    check = paper_numbers.jpeg_comparison(result, "colorcnn+", 1)
    assert check["jpeg"] is None and "not comparable" in check["verdict"]
    result["jpeg"].append({"quality": 1, "accuracy": 0.1, "bpp": 0.1})  # ColorCNN+ 1 bit: 14% at 0.5 bpp
    check = paper_numbers.jpeg_comparison(result, "colorcnn+", 1)
    assert check["beats_jpeg"] and check["gain"] == pytest.approx(4.0) and check["jpeg"]["quality"] == 1
    assert "+19.3 points" in check["verdict"]


def test_paper_numbers_consistent_with_text():
    t4 = paper_numbers.TABLE4
    for b, delta in paper_numbers.BOTTLENECK_DELTAS.items():  # Sec. 4.5.2
        assert t4["colorcnn+ w/o bottleneck"][b] - t4[paper_numbers.TABLE4_DEFAULT][b] == pytest.approx(delta)
    assert all(t4["colorcnn+ w/o top-K"][b] < t4[paper_numbers.TABLE4_DEFAULT][b] for b in paper_numbers.BITS)
    assert all(t4["colorcnn+ w/o augmentation"][b] < t4["colorcnn"][b] for b in (1, 2))
    assert all(len(row) == 6 for row in t4.values())
    assert len(paper_numbers.TABLE1) == 12
    t3 = paper_numbers.TABLE3
    assert t3["colorcnn+"][1] - t3["mediancut"][1] == pytest.approx(paper_numbers.STYLE14_GAIN_1BIT)
    t5 = paper_numbers.TABLE5
    assert t5["colorcnn w/o color jitter"]["accuracy"] - t5["colorcnn"]["accuracy"] == pytest.approx(
        paper_numbers.NO_JITTER_DROP)
    assert paper_numbers.smallest_indexed_png_bpp(32, 32) > 0.2


def test_paper_numbers_are_data_in_the_results_layout():
    """Table 4 as printed: MedianCut 10.2 % at 1 bit, ColorCNN 51.0 % at 6; Table 5's ColorCNN 8.0 colours at
    0.425 bpp; read from paper_results.json with the same reader as our results (fractions)."""
    from colorcnn_repro.results import Scores

    t4 = Scores(paper_numbers.paper_table("table4"))
    assert t4.accuracy("mediancut", 1) == 0.102 and t4.accuracy("colorcnn", 6) == 0.51
    assert paper_numbers.TABLE4["mediancut"][1] == 10.2 and paper_numbers.TABLE4["colorcnn"][6] == 51.0
    assert Scores(paper_numbers.paper_table("table5")).metrics("colorcnn", 3) == {
        "accuracy": 0.697, "colors_used": 8.0, "bpp": 0.425}
    assert paper_numbers.paper_table("table1")["rows"][0] == {"dataset": "cifar10", "classifier": "alexnet",
                                                             "accuracy": 0.869}
