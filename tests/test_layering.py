"""The package's floors (docs/architecture.md): a module imports only from its own floor or the ones below,
and packages do not import each other in a circle. Imports are read with ``ast``; nothing is imported."""
from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = "colorcnn_repro"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

# Floor of each top-level module or package ("" is the package's own __init__).
FLOORS = {
    **dict.fromkeys(["", "config", "profiles", "paths", "files", "parallel", "quantized", "results", "names",
                     "paper_numbers", "progress", "losses", "data", "models", "imitation_schedule", "stats",
                     "methods", "store", "study_settings"], 0),
    "quantizers": 1,
    **dict.fromkeys(["training", "evaluation"], 2),
    "zoo": 3,
    **dict.fromkeys(["experiments", "report", "plots", "cli", "lab", "explorer"], 4),
}

# Known exceptions to "no import cycles between packages", each counted as a unit of its own (none today:
# LearnedQuantizer lives in quantizers/, below training/, which imports quantizers/ for its imitation targets).
CYCLE_EXCEPTIONS: set[str] = set()

# Ground-floor modules that must not import torch (the scorecard and the CLI's fast paths rely on it).
TORCH_FREE = {"config", "profiles", "paths", "files", "quantized", "results", "names", "paper_numbers",
              "imitation_schedule", "stats", "methods", "study_settings"}

# What report/ and plots.py may never reach, directly or through what they import: they only read results.
COMPUTING = ("training", "experiments", "zoo", "evaluation", "models")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def imports(module: str) -> set[str]:
    """Every module of the package that ``module`` imports (anywhere in its body, lazy imports included),
    and the names of the outside packages it imports, prefixed with ``!``."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            targets = [(target, [a.name for a in node.names])]
        else:
            continue
        for target, names in targets:
            if target.split(".")[0] != PACKAGE:
                found.add("!" + target.split(".")[0])
                continue
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
            found.update(subs or [target])
    return found


def unit(module: str) -> str:
    """The top-level module or package ``module`` belongs to (or its own name if a cycle exception)."""
    rel = module.removeprefix(PACKAGE).lstrip(".")
    for exception in CYCLE_EXCEPTIONS:
        if rel == exception or rel.startswith(exception + "."):
            return exception
    return rel.split(".")[0]


def floor(module: str) -> int:
    top = module.removeprefix(PACKAGE).lstrip(".").split(".")[0]
    assert top in FLOORS, (f"{module} is on no floor: add {top!r} to FLOORS in tests/test_layering.py "
                           "(and to docs/architecture.md)")
    return FLOORS[top]


def test_every_module_is_on_a_floor() -> None:
    for module in MODULES:
        floor(module)
    assert set(FLOORS) <= {unit(m) for m in MODULES} | set(CYCLE_EXCEPTIONS), "FLOORS names a missing module"


def test_no_module_imports_from_a_higher_floor() -> None:
    upward = [f"{m} (floor {floor(m)}) imports {dep} (floor {floor(dep)})"
              for m in MODULES for dep in sorted(imports(m)) if not dep.startswith("!") and floor(dep) > floor(m)]
    assert not upward, "imports from a higher floor:\n" + "\n".join(upward)


def test_no_import_cycles_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for m in MODULES:
        graph.setdefault(unit(m), set()).update(unit(d) for d in imports(m) if not d.startswith("!"))
    for node, deps in graph.items():
        deps.discard(node)

    def reachable(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for dep in graph.get(todo.pop(), ()):
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        return seen

    reach = {node: reachable(node) for node in graph}
    cycles = {frozenset({n} | {m for m in reach[n] if n in reach[m]}) for n in graph if n in reach[n]}
    assert not cycles, "packages importing each other in a circle: " + "; ".join(
        " <-> ".join(sorted(c)) for c in sorted(cycles, key=sorted))


def test_torch_free_modules_do_not_import_torch() -> None:
    for top in TORCH_FREE:
        module = f"{PACKAGE}.{top}"
        deps = imports(module)
        assert "!torch" not in deps, f"{module} imports torch"
        inner = {d for d in deps if not d.startswith("!")} - {PACKAGE}
        assert all(d.removeprefix(PACKAGE + ".").split(".")[0] in TORCH_FREE for d in inner), \
            f"{module} imports {sorted(inner)}, not all of which are torch-free"


def reach(module: str) -> set[str]:
    """Every module of the package that ``module`` imports, directly or through others."""
    seen, todo = set(), [module]
    while todo:
        for dep in imports(todo.pop()):
            if not dep.startswith("!") and dep not in seen and dep in MODULES:
                seen.add(dep)
                todo.append(dep)
    return seen


def test_report_and_plots_only_read() -> None:
    """Computing and drawing apart: nothing under report/ nor plots.py reaches training, the experiments, the
    zoo, the evaluation or the models; they draw what experiments/ wrote."""
    readers = [m for m in MODULES if m.startswith(f"{PACKAGE}.report") or m == f"{PACKAGE}.plots"]
    bad = {m: sorted(d for d in reach(m) if d.removeprefix(PACKAGE + ".").split(".")[0] in COMPUTING)
           for m in readers}
    assert not {m: d for m, d in bad.items() if d}, f"readers that reach computing modules: {bad}"


def test_the_parser_sees_relative_and_lazy_imports() -> None:
    assert f"{PACKAGE}.parallel" in imports(f"{PACKAGE}.training.loops")  # from .. import parallel
    assert f"{PACKAGE}.models.checkpoint" in imports(f"{PACKAGE}.quantizers.learned")
    assert f"{PACKAGE}.quantized" in imports(PACKAGE)


#: A branch on one learned method's name: what the method specs (methods.py) decide instead.
METHOD_BRANCH = re.compile(r"""[!=]=\s*["']colorcnn\+?["']|["']colorcnn\+?["']\s*[!=]=|"""
                           r"""["']colorcnn\+?["']\s+(not\s+)?in\s+(methods|learned|scores)\b""")


def test_no_branch_on_a_learned_method_outside_its_spec_and_its_network() -> None:
    """One-network-per-C against one-for-every-C, the config section and the run names are the spec's
    (methods.LEARNED); no other module compares a method's name with "colorcnn" or "colorcnn+"."""
    found = [f"{module}:{n}: {line.strip()}" for module, path in MODULES.items()
             if unit(module) not in ("methods", "models")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if METHOD_BRANCH.search(line)]
    assert not found, "branches on a learned method's name:\n" + "\n".join(found)


def test_every_learned_method_has_a_network_and_a_trainer() -> None:
    """One spec per learned method (methods.LEARNED, torch-free); the networks and trainers are keyed by the same
    names, and no name is also a classical method's."""
    from colorcnn_repro.methods import LEARNED
    from colorcnn_repro.models.colorcnn import QUANTIZER_NETS
    from colorcnn_repro.quantizers import METHODS
    from colorcnn_repro.training import TRAINERS

    assert list(LEARNED) == list(QUANTIZER_NETS) == list(TRAINERS) and not set(LEARNED) & set(METHODS)
