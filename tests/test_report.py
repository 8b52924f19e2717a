"""The HTML report on small fixture notebooks (papermill-like metadata, not executed here): one page per
notebook with its figures embedded, and an index that links every page and shows title, profile, data, run
time and the scorecard."""
from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from PIL import Image

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbconvert")

from colorcnn_repro.report import html as report  # noqa: E402
from colorcnn_repro.report.scorecard import HOLDS, Entry  # noqa: E402

DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def png(color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 3), color).save(buf, "PNG")
    return buf.getvalue()


def notebook(title: str, summary: str, images: list[bytes], papermill: dict | None, markdown_image: str = ""):
    v4 = nbformat.v4
    cells = [v4.new_markdown_cell(f"# {title}\n\n{summary}\nsecond line.\n\nMore text.{markdown_image}"),
             v4.new_code_cell('import os\nprofile = os.environ.get("P", "cpu")\ndataset = "cifar10"\nbits = [1, 2]',
                              metadata={"tags": ["parameters"]})]
    if papermill:
        cells.append(v4.new_code_cell('profile = "smoke"\n', metadata={"tags": ["injected-parameters"]}))
    for data in images:
        out = v4.new_output("display_data",
                            data={"image/png": base64.b64encode(data).decode(), "text/plain": "<Figure>"})
        cells.append(v4.new_code_cell("plot()", outputs=[out], execution_count=1))
    nb = v4.new_notebook(cells=cells)
    if papermill is not None:
        nb.metadata["papermill"] = papermill
    return nb


@pytest.fixture
def executed(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "figure.png").write_bytes(png((0, 0, 255)))
    meta = {"parameters": {"profile": "smoke"}, "duration": 75.4, "start_time": "2026-01-01T00:00:00",
            "exception": None}
    nbformat.write(notebook("Table 1: classifiers", "Trains the classifier.", [png((255, 0, 0)), png((0, 255, 0))],
                            meta, "\n\n![local figure](figure.png)"), folder / "00_first.ipynb")
    nbformat.write(notebook("Fig. 12: accuracy", "Accuracy against colours.", [png((9, 9, 9))],
                            {**meta, "duration": 4.2, "exception": True}), folder / "01_second.ipynb")
    nbformat.write(notebook("Not by papermill", "Plain copy.", [], None), folder / "02_third.ipynb")
    (folder / "scratch.ipynb").write_text("{}")  # not NN_*.ipynb: ignored
    return folder


def card() -> dict:
    entry = Entry("claim", "ColorCNN − MedianCut, 1 bit", "Sec. 4.3.3", "CIFAR10 · AlexNet", 7.2, 3.7, -3.5,
                  "McNemar vs MedianCut, p = 3e-07", HOLDS, "3.7 points above <MedianCut>, significant")
    return {"profile": "smoke", "summary": {HOLDS: 1, "does not hold": 0, "not measurable here": 0},
            "entries": [entry.__dict__], "sources": {}}


def test_report_pages_and_index(executed: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    index = report.build_report(executed, out, card())
    text = index.read_text()
    pages = sorted(p.name for p in out.glob("*.html") if p.name != "index.html")
    assert pages == ["00_first.html", "01_second.html", "02_third.html"]
    for page in pages:
        assert f'href="{page}"' in text
    assert "scratch" not in text
    # what each notebook reproduces, the profile and data it ran on (injected profile wins), its run time, status
    assert "<strong>Table 1: classifiers</strong>: Trains the classifier. second line." in text
    # the answer first: the scorecard's summary (Markdown rendered) above the notebooks
    assert text.index("The answer: scorecard") < text.index("<h2>Notebooks</h2>") < text.index("Every scorecard row")
    assert "<td>Sec. 4.3.3</td>" in text and "**" not in text
    assert "profile smoke, dataset cifar10" in text
    assert "1 min 15 s" in text and "4 s" in text
    assert ">failed<" in text and ">not executed by papermill<" in text
    # the scorecard, escaped, with the verdict in bold
    assert "<strong>holds</strong>: 3.7 points above &lt;MedianCut&gt;, significant" in text
    # every page holds its figures as data URIs (outputs and the markdown image), nothing to fetch from disk
    first = (out / "00_first.html").read_text()
    embedded = {base64.b64decode(b) for b in DATA_URI.findall(first)}
    assert {png((255, 0, 0)), png((0, 255, 0)), png((0, 0, 255))} <= embedded
    assert 'src="figure.png"' not in first
    assert {base64.b64decode(b) for b in DATA_URI.findall((out / "01_second.html").read_text())} == {png((9, 9, 9))}


def test_notebook_info_and_parameters(executed: Path) -> None:
    info = report.notebook_info(executed / "00_first.ipynb")
    assert (info["title"], info["ran_on"], info["status"]) == ("Table 1: classifiers", {"profile": "smoke",
                                                                                     "dataset": "cifar10"}, "ok")
    assert report.notebook_info(executed / "02_third.ipynb")["ran_on"] == {"dataset": "cifar10"}


def test_duration_format() -> None:
    assert [report.duration(s) for s in (None, 4.2, 75.4, 3725)] == ["—", "4 s", "1 min 15 s", "1 h 02 min"]


def test_no_executed_notebooks(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no executed notebooks .* run `colorcnn reproduce"):
        report.build_report(tmp_path, tmp_path / "out")


def test_reproduce_report_hook(executed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`colorcnn reproduce --report DIR`: after the notebooks (copied here, not executed), the scorecard is
    regenerated for the profile and the report written to DIR."""
    import shutil

    papermill = pytest.importorskip("papermill")
    from colorcnn_repro import cli
    from colorcnn_repro.report import scorecard

    monkeypatch.setattr(papermill, "execute_notebook", lambda src, dst, **kwargs: shutil.copy(src, dst))
    calls = []
    monkeypatch.setattr(scorecard, "regenerate",
                        lambda profile, *_: calls.append(profile) or (card(), tmp_path / "scorecard.json"))
    out, site = tmp_path / "executed", tmp_path / "site"
    argv = ["reproduce", "--profile", "smoke", "--notebooks", str(executed), "--out", str(out), "--only", "00", "01"]
    assert cli.main(argv + ["--report", str(site)]) == 0
    assert calls == ["smoke"]
    assert sorted(p.name for p in site.glob("*.html")) == ["00_first.html", "01_second.html", "index.html"]
