"""The HTML report: every executed notebook (papermill's copies, ``build/notebooks/``) converted to HTML with
nbconvert, figures embedded as data URIs, and an ``index.html`` that opens with the answer (the scorecard's
tally and the paper's central claims), then lists each notebook (what it reproduces, the profile and data it ran
on, its run time), then the whole scorecard. Markdown (the notebooks' summaries, the scorecard's summary) is
rendered with mistune, nbconvert's own renderer. The folder is self-contained: copy it anywhere. nbconvert and
nbformat are imported when a report is built, not before.
"""
from __future__ import annotations

import ast
import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import nbformat

NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
#: Parameters shown as "ran on" in the index, when the notebook has them.
RAN_ON = ("profile", "dataset", "classifier")


def first_markdown(nb: nbformat.NotebookNode) -> tuple[str, str]:
    """``(title, summary)`` of a notebook: its first markdown cell's heading, and the paragraph after it."""
    cell = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if cell is None:
        return "", ""
    paragraphs = [p.strip() for p in cell.source.strip().split("\n\n") if p.strip()]
    title = paragraphs.pop(0).lstrip("#").strip() if paragraphs and paragraphs[0].startswith("#") else ""
    return title, " ".join(paragraphs[0].split()) if paragraphs else ""


def parameters(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The notebook's parameters: literal assignments of its ``parameters`` cell, updated with the values
    papermill injected (``metadata.papermill.parameters``)."""
    out: dict[str, Any] = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                break
            for node in tree.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    try:
                        out[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:
                        pass  # not a literal (e.g. read from the environment): papermill's value, if any, wins
            break
    out.update(nb.metadata.get("papermill", {}).get("parameters", {}))
    return out


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def notebook_info(path: Path) -> dict[str, Any]:
    """What the index says about one executed notebook."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    meta = nb.metadata.get("papermill", {})
    title, summary = first_markdown(nb)
    params = parameters(nb)
    if not meta:
        status = "not executed by papermill"
    elif meta.get("exception"):
        status = "failed"
    else:
        status = "ok"
    return {"notebook": path.name, "title": title or path.stem, "summary": summary,
            "ran_on": {k: params[k] for k in RAN_ON if k in params}, "duration_s": meta.get("duration"),
            "start_time": meta.get("start_time"), "status": status, "html": path.with_suffix(".html").name}


def export(path: Path, out_dir: Path) -> Path:
    """``path`` as ``out_dir/<stem>.html``: outputs' images are inlined by nbconvert, markdown images too
    (``embed_images``), relative to the notebook's folder."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(path, as_version=4)
    body, _ = HTMLExporter(embed_images=True).from_notebook_node(
        nb, resources={"metadata": {"path": str(path.parent), "name": path.stem}})
    dest = out_dir / f"{path.stem}.html"
    dest.write_text(body, encoding="utf-8")
    return dest


class Markup(str):
    """A table cell that is HTML already (not escaped)."""


def markdown_html(text: str) -> Markup:
    """``text`` (Markdown) as HTML, by mistune (nbconvert's renderer)."""
    import mistune

    return Markup(mistune.html(text))


def table_html(rows: Sequence[Sequence[str | tuple[str, str]]]) -> str:
    """An HTML table (``rows[0]`` the header) of text cells, :class:`Markup` cells, or ``(text, href)`` links;
    ``**bold**`` text becomes <strong>."""
    def cell(value: str | tuple[str, str], tag: str) -> str:
        if isinstance(value, Markup):
            return f"<{tag}>{value}</{tag}>"
        text, href = value if isinstance(value, tuple) else (value, None)
        text = html.escape(text)
        while text.count("**") >= 2:
            text = text.replace("**", "<strong>", 1).replace("**", "</strong>", 1)
        if href is not None:
            text = f'<a href="{html.escape(href)}">{text}</a>'
        return f"<{tag}>{text}</{tag}>"
    head = "".join(cell(c, "th") for c in rows[0])
    body = "\n".join("<tr>" + "".join(cell(c, "td") for c in r) + "</tr>" for r in rows[1:])
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


STYLE = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:80em;padding:0 1em;line-height:1.4}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;
text-align:left}th{background:#f3f3f3}.failed{color:#b00}"""


def index_html(infos: list[dict[str, Any]], card: dict | None, title: str) -> str:
    """The index page: the scorecard's summary (the answer) when given, the notebooks, then every scorecard
    row."""
    from .scorecard import rows, summary_markdown

    notebook_rows: list[list[str | tuple[str, str]]] = [["notebook", "reproduces", "ran on", "run time", "status"]]
    for info in infos:
        text = f"**{info['title']}**: {info['summary']}" if info["summary"] else f"**{info['title']}**"
        notebook_rows.append([(info["notebook"], info["html"]), markdown_html(text),
                              ", ".join(f"{k} {v}" for k, v in info["ran_on"].items()) or "—",
                              duration(info["duration_s"]), info["status"]])
    parts = [f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>",
             f"<style>{STYLE}</style></head><body>", f"<h1>{html.escape(title)}</h1>"]
    if card is not None:
        parts += ["<h2>The answer: scorecard</h2>", markdown_html(summary_markdown(card))]
    parts += ["<h2>Notebooks</h2>", table_html(notebook_rows)]
    if card is not None:
        parts += ["<h2>Every scorecard row</h2>", table_html(rows(card))]
    return "\n".join(parts) + "\n</body></html>\n"


def build_report(notebooks: Path, out_dir: Path, card: dict | None = None,
                 title: str = "colorcnn_repro: reproduction report") -> Path:
    """Convert every ``NN_*.ipynb`` in ``notebooks`` into ``out_dir`` and write ``out_dir/index.html``."""
    paths = sorted(Path(notebooks).glob(NOTEBOOK_GLOB))
    if not paths:
        raise FileNotFoundError(f"no executed notebooks (NN_*.ipynb) in {notebooks}; run `colorcnn reproduce "
                                "--profile <profile>` (or `make reproduce`) first")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    infos = []
    for path in paths:
        export(path, out_dir)
        infos.append(notebook_info(path))
    index = out_dir / "index.html"
    index.write_text(index_html(infos, card, title), encoding="utf-8")
    return index
