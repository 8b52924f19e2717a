"""The scorecard built (:func:`build`), written (JSON) and rendered (Markdown: docs/scorecard.md and
README.md's block)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

from ...files import atomic_write_json
from ...paths import results_root
from .. import ExpectedPath
from .claims import (
    build_rows,
)
from .entries import (
    ALPHA,
    BEGIN,
    CLOSE_MARGIN,
    END,
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    MIN_SEEDS,
    README,
    SCORECARD_DOC,
    UNMEASURABLE,
    VERDICTS,
    Value,
)
from .load import _rel, load_results
from .rules import (
    finalize,
)

# ------------------------------------------------------------------------------------------ the scorecard

def build(profile: str, results_dir: Path | None = None, expected: ExpectedPath | None = None) -> dict:
    """The scorecard of ``profile`` from ``results_dir`` (default ``results/<profile>``). ``expected`` names the
    file the profile's current config writes (:func:`colorcnn_repro.experiments.studies.current_result_path`);
    without it, the newest complete result of each kind is read."""
    results_dir = Path(results_dir) if results_dir is not None else results_root(profile)
    if not results_dir.is_dir():
        raise FileNotFoundError(f"no results folder {results_dir}; run `colorcnn reproduce --profile {profile}` first")
    found = load_results(results_dir, expected)
    entries = finalize(build_rows(found))
    sources = {f"{kind}:{ds}:{clf}": {"file": f.name, "config_key": f.data.get("config_key"),
                                      "matches_current_config": f.current}
               for kind, per in sorted(found.items()) for (ds, clf), f in sorted(per.items())}
    families: dict[str, int] = {}
    for e in entries:
        if e.family is not None:
            families[e.family] = families.get(e.family, 0) + 1
    return {"profile": profile, "sources": sources,
            "settings": {"alpha": ALPHA, "interval": "95 % Wilson", "correction": "Holm within each family",
                         "min_seeds": MIN_SEEDS, "noise_band": "t95(n-1) * s * sqrt(1/m + 1/k)",
                         "families": families},
            "summary": {v: sum(e.verdict == v for e in entries) for v in VERDICTS},
            "entries": [asdict(e) for e in entries]}


def _fmt(v: Value, signed: bool = False, digits: int = 1) -> str:
    """A value for display; a dict's keys are shown unless they are colour-space sizes."""
    if v is None:
        return "—"
    if isinstance(v, dict):
        bits_only = all("bit" in k for k in v)
        return " / ".join(_fmt(x, signed, digits) if bits_only else f"{k} {_fmt(x, signed, digits)}"
                          for k, x in v.items())
    return f"{v:+.{digits}f}" if signed else f"{v:.{digits}f}"


def rows(card: dict, numbers: Iterable[int] | None = None) -> list[list[str]]:
    """The scorecard as table rows, header first (shared by the Markdown and the HTML renderings); ``numbers``:
    only these rows (1-based, as numbered in the full table)."""
    out = [["", "claim or number (source)", "setup here (paper's)", "paper", "here", "difference", "test", "verdict"]]
    keep = None if numbers is None else set(numbers)
    for i, e in enumerate(card["entries"], 1):
        if keep is not None and i not in keep:
            continue
        signed = e["section"] == "claim" or "−" in e["item"]
        paper_setup = e.get("paper_setup")
        setup = e["setup"] if paper_setup in (None, e["setup"]) else f"{e['setup']} ({paper_setup})"
        flags = "".join(f" ⚑ {f}." for f in e.get("flags", []))
        flags = f".{flags}" if flags else ""
        digits = 3 if "bpp" in e["item"] else 1
        out.append([str(i), f"{e['item']} ({e['source']})", setup, _fmt(e["paper"], signed, digits),
                    _fmt(e["ours"], signed, digits), _fmt(e["difference"], True, digits), e["test"] or "—",
                    f"**{e['verdict']}**: {e['reason']}{flags}"])
    return out


def summary_line(card: dict) -> str:
    s = card["summary"]
    return (f"`{card['profile']}` profile: {s[HOLDS]} hold, {s[FAILS]} do not hold, {s.get(INCONCLUSIVE, 0)} "
            f"inconclusive, {s[UNMEASURABLE]} not measurable here.")


RULES = ("Rules (docstring of `colorcnn_repro/report/scorecard.py`): a number holds when the paper's value lies in "
         "our 95 % Wilson interval; paired claims use McNemar, Holm-corrected within each family, α = 0.05, and are "
         "inconclusive where the test tells the difference from none in neither direction; \"close\" is "
         f"non-inferiority at a margin of {CLOSE_MARGIN:g} points fixed in advance; "
         "unpaired comparisons need disjoint Wilson intervals; a study effect is judged against the noise of ≥ 3 "
         "seeds of the study's reference variant; nothing is subtracted across setups (the paper's setup is in "
         "brackets); ⚑ marks paper values resting on Table 4 cells rebuilt from garbled text.")


def _generated(card: dict) -> str:
    return (f"Generated from `{scorecard_path_name(card['profile'])}` by `colorcnn scorecard "
            f"--profile {card['profile']}` (also run by `make report`); do not edit by hand.")


def _table(table: list[list[str]]) -> list[str]:
    table = [[c.replace("|", "\\|") for c in r] for r in table]
    table.insert(1, ["---"] * len(table[0]))
    return ["| " + " | ".join(r) + " |" for r in table]


def to_markdown(card: dict) -> str:
    """The full table's block (``docs/scorecard.md``): a summary, the rules, the sources, and every row."""
    stale = [v["file"] for v in card["sources"].values() if not v["matches_current_config"]]
    lines = [f"Scorecard of the {summary_line(card)} {RULES} {_generated(card)}", ""]
    if stale:
        lines += ["Results read that the profile's current config would not write (older configs; newest complete "
                  "file used): " + ", ".join(f"`{Path(f).name}`" for f in stale) + ".", ""]
    return "\n".join(lines + _table(rows(card))) + "\n"


def section_tally(card: dict) -> list[list[str]]:
    """Verdicts per section of the paper (``Sec. 4.2.2`` …, in the paper's order), header first."""
    tally: dict[str, dict[str, int]] = {}
    for e in card["entries"]:
        m = re.match(r"Sec\. ([\d.]+)", e["source"])
        sec = m[1] if m else "other"
        counts = tally.setdefault(sec, dict.fromkeys(VERDICTS, 0))
        counts[e["verdict"]] += 1
    order = sorted(tally, key=lambda k: [int(x) for x in k.split(".")] if k != "other" else [99])
    return [["section", *VERDICTS]] + [[f"Sec. {k}" if k != "other" else k, *map(str, tally[k].values())]
                                        for k in order]


def headline_numbers(card: dict) -> list[int]:
    """Rows (1-based) of the paired, Holm-corrected claims on the first setup the families name: learned
    against classical quantizers, the paper's central claims."""
    families = [e["family"] for e in card["entries"] if e.get("family")]
    if not families:
        return []
    setup = families[0].rsplit(" · ", 2)[-2:]
    return [i for i, e in enumerate(card["entries"], 1)
            if e.get("family") and e["family"].rsplit(" · ", 2)[-2:] == setup]


def summary_markdown(card: dict) -> str:
    """README.md's block: the tally, the rules, the tally per section, the headline claims; the full table is
    :data:`SCORECARD_DOC`'s."""
    lines = [f"Scorecard of the {summary_line(card)} {RULES} Every row, with its reason: "
             f"[{_rel(SCORECARD_DOC)}]({_rel(SCORECARD_DOC)}). {_generated(card)}", ""]
    lines += _table(section_tally(card)) + [""]
    headline = headline_numbers(card)
    if headline:
        lines += ["The paper's central claims here (paired McNemar tests, Holm-corrected within each family; row "
                  "numbers as in the full table):", ""] + _table(rows(card, headline))
    return "\n".join(lines) + "\n"


def scorecard_path(profile: str) -> Path:
    return results_root(profile) / "scorecard.json"


def scorecard_path_name(profile: str) -> str:
    return _rel(scorecard_path(profile))


def write(card: dict, path: Path | None = None) -> Path:
    """Write the scorecard JSON atomically, keys in the card's order."""
    path = path or scorecard_path(card["profile"])
    atomic_write_json(card, path, sort_keys=False, ensure_ascii=False)
    return path


def readme_block(text: str) -> tuple[str, str] | None:
    """``(profile, content)`` between the README's scorecard markers, or None when it has none."""
    m = BEGIN.search(text)
    if m is None:
        return None
    end = text.find(END, m.end())
    if end < 0:
        raise ValueError(f"README scorecard block opened by {m.group(0).strip()!r} has no {END!r}")
    return m["profile"], text[m.end():end]


def update_block(card: dict, path: Path, render: Callable[[dict], str]) -> bool:
    """Replace the scorecard block of the Markdown file ``path`` with ``render(card)`` when it is this profile's;
    True when the file changed."""
    text = path.read_text()
    block, m = readme_block(text), BEGIN.search(text)
    if block is None or m is None or block[0] != card["profile"]:
        return False
    new = render(card)
    if block[1] == new:
        return False
    path.write_text(text[:m.end()] + new + text[text.find(END, m.end()):])
    return True


def update_readme(card: dict, readme: Path = README, doc: Path = SCORECARD_DOC) -> bool:
    """Refresh README.md's summary block and the full table's block in ``doc``; True when either changed."""
    return update_block(card, readme, summary_markdown) | update_block(card, doc, to_markdown)


def regenerate(profile: str, readme: Path | None = README, expected: ExpectedPath | None = None) -> tuple[dict, Path]:
    """Build (:func:`build`) and write ``results/<profile>/scorecard.json``; refresh the README's block and
    :data:`SCORECARD_DOC`'s when they are this profile's."""
    card = build(profile, None, expected)
    path = write(card)
    if readme is not None:
        update_readme(card, readme)
    return card, path
