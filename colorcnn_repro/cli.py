"""The ``colorcnn`` command: quantize images, run the pipeline stages, and re-run the notebooks.

Errors a user can cause (bad input, missing files or data) end as one line on stderr,
``colorcnn: error: <message>``, with exit status 2; warnings are one ``colorcnn: warning: <message>`` line.
Torch, the pipeline and the learned quantizers are imported only by the commands that use them, so
``--help`` and the classical methods start at once.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import NoReturn, TextIO

from .config import TRAINABLE_COLORS
from .methods import LEARNED, train_verb
from .paths import REPO_ROOT, zoo_root
from .profiles import PROFILES, resolve
from .quantizers import METHODS, ClassicalQuantizer, Quantizer, check_colors
from .results import Scores, repo_relative, result_path

ERROR_STATUS = 2


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line, like the command's other errors."""

    def error(self, message: str) -> NoReturn:
        self.exit(ERROR_STATUS, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def one_line(message: str) -> str:
    """``message`` with its lines joined into one."""
    return " ".join(line.strip() for line in message.splitlines() if line.strip())


def fail(message: str, status: int = ERROR_STATUS) -> int:
    """Print ``message`` as one ``colorcnn: error:`` line on stderr; return ``status``."""
    print(f"colorcnn: error: {one_line(message)}", file=sys.stderr)
    return status


def warn(message: str) -> None:
    """Print ``message`` as one ``colorcnn: warning:`` line on stderr."""
    print(f"colorcnn: warning: {one_line(message)}", file=sys.stderr)


def show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: TextIO | None = None, line: str | None = None) -> None:
    """``warnings.showwarning`` for the command: the message alone, as one ``colorcnn: warning:`` line."""
    warn(str(message))


# ---------------------------------------------------------------------------------------------- quantize


@cache
def image_suffixes() -> frozenset[str]:
    """File extensions Pillow can open."""
    from PIL import Image

    return frozenset(ext for ext, fmt in Image.registered_extensions().items() if fmt in Image.OPEN)


def image_paths(inputs: Sequence[str]) -> list[Path]:
    """Files as given; folders expand to the image files directly inside them (by extension, sorted)."""
    paths: list[Path] = []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in image_suffixes())
            if not found:
                raise ValueError(f"no images found in {path}")
            paths += found
        elif path.is_file():
            paths.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return paths


def checkpoint_file(given: str) -> Path:
    """``--checkpoint``: a weights file, else the file of the zoo model with that tag (``colorcnn zoo``)."""
    if Path(given).exists():
        return Path(given)
    from .zoo import find_entry

    try:
        return REPO_ROOT / find_entry(given).file
    except KeyError as exc:
        raise FileNotFoundError(f"--checkpoint {given!r} is neither a file nor a zoo tag; {exc.args[0]}") from None


def quantizer_for(args: argparse.Namespace) -> Quantizer:
    """The quantizer of ``--method``; learned ones come from ``--checkpoint`` or the zoo (a ``smoke`` model
    only with an explicit ``--profile smoke``, which says so) and are checked against ``--colors`` now, before
    any image is read."""
    if args.method not in LEARNED:
        if args.checkpoint:
            raise ValueError(f"--checkpoint applies to {' and '.join(LEARNED)} only, not to {args.method}")
        return ClassicalQuantizer(args.method)
    from .quantizers.learned import FewColorsWarning, LearnedQuantizer
    from .zoo import pretrained_quantizer

    warnings.filterwarnings("ignore", category=FewColorsWarning)  # cmd_quantize reports every method's
    if args.checkpoint:
        learned = LearnedQuantizer.from_checkpoint(checkpoint_file(args.checkpoint), args.method, args.device)
        learned.net_for(args.colors)
        return learned
    return pretrained_quantizer(args.method, args.colors, args.dataset, args.classifier, args.profile, args.device)


def cmd_quantize(args: argparse.Namespace) -> int:
    colors = check_colors(args.colors)
    paths = image_paths(args.images)
    outputs = [args.out / f"{p.stem}-{args.method}-{colors}.png" for p in paths]
    clashes = [output for output, n in Counter(outputs).items() if n > 1]
    if clashes:
        raise ValueError(f"several inputs would be written to {clashes[0]}: give them different file names")
    quantizer = quantizer_for(args)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for path, output in zip(paths, outputs):
        try:
            q = quantizer.quantize(path, colors)
        except (ValueError, OSError) as exc:
            raise ValueError(f"{path}: {exc}") from exc
        data = q.png_bytes()
        output.write_bytes(data)
        height, width = q.shape
        if 2 * (used := q.colors_used()) < colors:
            warn(f"{path}: {args.method} used {used} of the {colors} colours asked for (fewer than half)")
        rows.append({"input": str(path), "output": str(output), "method": args.method, "colors": colors,
                     "colors_used": used, "bpp": 8.0 * len(data) / (height * width),
                     "width": width, "height": height})
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'input':<32} {'size':>11} {'colours used':>12} {'bpp':>7}  output")
        for r in rows:
            size = f"{r['width']}×{r['height']}"
            print(f"{r['input']:<32} {size:>11} {r['colors_used']:>12} {r['bpp']:>7.3f}  {r['output']}")
    return 0


# --------------------------------------------------------------------------------------------------- zoo


def cmd_zoo(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from .zoo import zoo_index

    entries = zoo_index()
    if args.json:
        print(json.dumps([asdict(e) for e in entries], indent=2))
        return 0
    tag, file = (max((len(text) for text in texts), default=4) for texts in
                 ([e.tag for e in entries], [Path(e.file).name for e in entries]))
    print(f"{'tag':<{tag}}  current  {'key':<10}  {'file':<{file}}  accuracy %")
    for e in entries:
        print(f"{e.tag:<{tag}}  {'yes' if e.current else 'no':<7}  {e.config_key:<10}  {Path(e.file).name:<{file}}  "
              f"{e.accuracy_text()}")
    print(f"\n{len(entries)} models in {repo_relative(zoo_root())}; current: the one `--profile` loads now; accuracy "
          "from results/<profile>/ (`colorcnn zoo --json` names each entry's file)")
    return 0


# ------------------------------------------------------------------------------------------------ stages


def overrides(args: argparse.Namespace) -> dict[str, str]:
    return dict(args.set or [])


def stage_kwargs(args: argparse.Namespace) -> dict:
    """The arguments every pipeline stage takes: the experiment (``--profile`` and ``--set``, resolved once),
    the data root and the device."""
    return {"exp": resolve(args.profile, overrides(args)), "root": args.data_root, "device": args.device}


def last_epoch(run: Path) -> str:
    """The final epoch's statistics from a run's history.json, as ``key=value`` text."""
    history = run / "history.json"
    if not history.exists():
        return "no history"
    last = json.loads(history.read_text())[-1]
    return ", ".join(f"{k}={v:.4g}" for k, v in last.items() if isinstance(v, (int, float)))


def cmd_train_classifier(args: argparse.Namespace) -> int:
    from .experiments import pipeline
    from .store import model_file

    kwargs = stage_kwargs(args)
    result = pipeline.classifier_stage(**kwargs)
    exp = kwargs["exp"]
    cfg = exp.config.classifier
    metrics = ", ".join(f"{k}={v:.4f}" for k, v in result["metrics"].items())
    print(f"classifier {cfg.classifier} on {cfg.data.dataset}: {metrics}")
    print(f"model: {model_file('classifier', cfg)}")
    print(f"results: {result_path(exp.results, 'classifier', cfg)}")
    return 0


def cmd_train_learned(args: argparse.Namespace) -> int:
    """Train the learned method ``args.learned``: one network per ``--colors`` C, or its one network."""
    from .experiments import pipeline

    method = LEARNED[args.learned]
    bits = tuple(c.bit_length() - 1 for c in args.colors) if method.per_color else None
    runs = pipeline.learned_stage(**stage_kwargs(args), method=method.name, bits=bits)
    names = [f"{method.title} C={c}" for c in args.colors] if method.per_color else [method.title]
    for name, run in zip(names, runs):
        print(f"{name}: {run / 'model.pt'} ({last_epoch(run)})")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .experiments import pipeline

    kwargs = stage_kwargs(args)
    if args.method:
        exp = kwargs["exp"]
        kwargs["exp"] = resolve(args.profile, {**overrides(args), "methods": (*exp.config.methods, *args.method)})
    result = pipeline.evaluation_stage(**kwargs, force=args.force, npz=args.npz)
    exp = kwargs["exp"]
    bits, scores = exp.config.bits, Scores(result)
    print(f"original images: accuracy {result['original']['accuracy']:.4f}")
    print(f"{'accuracy':<14}" + "".join(f"{f'C={2**b}':>8}" for b in bits))
    for method in scores.methods:
        print(f"{method:<14}" + "".join(f"{scores.accuracy(method, b):>8.4f}" for b in bits))
    print(f"results: {result_path(exp.results, pipeline.evaluation_name(args.npz), exp.config)}")
    return 0


def cmd_curve(args: argparse.Namespace) -> int:
    from .experiments.compute_curve import check_labels, compute_curve, curve_models, train_curve

    check_labels(curve_models(args.profile), args.model)
    if args.train:
        train_curve(args.profile, args.until, args.model, overrides(args), args.data_root, args.device)
    result = compute_curve(args.profile, args.until, overrides=overrides(args), root=args.data_root,
                           device=args.device)
    print(f"{'model':<26}{'epochs':>7}{'bits':>5}{'acc %':>8}"
          + "".join(f"{'vs ' + r:>16}" for r in result["references"]))
    for row in result["rows"]:
        leads = "".join(f"{row[f'lead_{r}']:>+8.1f} p={row[f'p_{r}']:<5.0e}" for r in result["references"])
        print(f"{row['model']:<26}{row['epochs']:>7}{row['bits']:>5}{100 * row['accuracy']:>8.1f}{leads}")
    for todo in result["pending"]:
        print(f"not trained yet: {todo['model']}, {todo['epochs']} epochs")
    print(f"results: {result['result_file']}")
    if args.publish:
        from .experiments.compute_curve import publish_longest

        for path in publish_longest(args.profile, overrides(args), args.model):
            print(f"published {repo_relative(path)}")
    return 0


# --------------------------------------------------------------------------------------------- reproduce


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` set inside the block (the notebooks' kernels inherit it), as it was after."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def cmd_reproduce(args: argparse.Namespace) -> int:
    try:
        import papermill
    except ImportError:
        return fail("`colorcnn reproduce` needs papermill: pip install 'colorcnn-repro[dev]'")
    if not args.notebooks.is_dir():
        raise FileNotFoundError(f"no notebook folder at {args.notebooks}")
    notebooks = sorted(args.notebooks.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise ValueError(f"no notebooks named NN_*.ipynb in {args.notebooks}")
    if args.only:
        known = {nb.name[:2] for nb in notebooks}
        if unknown := sorted(set(args.only) - known):
            raise ValueError(f"no notebook numbered {', '.join(unknown)} in {args.notebooks}; "
                             f"accepted: {', '.join(sorted(known))}")
        notebooks = [nb for nb in notebooks if nb.name[:2] in args.only]
    args.out.mkdir(parents=True, exist_ok=True)
    from .paths import results_root
    from .training.runs import NO_TRAINING_ENV

    committed = results_root(args.profile)
    # the kernels inherit the environment: a missing model is an error unless --train-missing or --retrain
    env = {NO_TRAINING_ENV: "" if args.train_missing or args.retrain else "1"}
    if args.retrain is not None:
        if args.retrain.exists() and any(args.retrain.iterdir()):
            raise ValueError(f"--retrain needs a new or empty folder; {args.retrain} holds files")
        env.update({f"COLORCNN_{part.upper()}": str(args.retrain.absolute() / part) for part in RETRAIN_FOLDERS})
    with environment(env):
        for nb in notebooks:
            out = args.out / nb.name
            start = time.perf_counter()
            print(f"running {nb.name} (profile {args.profile}) …", flush=True)
            try:
                papermill.execute_notebook(str(nb), str(out), parameters={"profile": args.profile},
                                           cwd=str(REPO_ROOT), progress_bar=False)
            except papermill.PapermillExecutionError as exc:
                first_line = exc.source.strip().splitlines()[0] if exc.source.strip() else ""
                return fail(f"notebook {nb.name} failed in cell {exc.cell_index} (In [{exc.exec_count}]: "
                            f"`{first_line}`): {exc.ename}: {exc.evalue} (executed copy with the traceback: {out})", 1)
            print(f"  done in {time.perf_counter() - start:.0f} s → {out}")
    print(f"all {len(notebooks)} notebooks ran; executed copies in {args.out}")
    if args.retrain is not None:
        print(differences(committed, args.retrain / "results" / args.profile, args.retrain / "differences.md"))
    if args.report is not None:
        return report(args.profile, args.out, args.report, readme=True)
    return 0


#: The folders ``reproduce --retrain DIR`` starts empty under DIR (each moved by its ``COLORCNN_*`` variable).
RETRAIN_FOLDERS = ("runs", "results", "figures", "checkpoints", "zoo", "cache")


def differences(committed: Path, fresh: Path, out: Path) -> str:
    """Markdown: every accuracy of the retrained results beside the committed one of the same file (same
    config), written to ``out`` too; returns it."""
    from .files import atomic_write_bytes
    from .paper_numbers import markdown_table
    from .results import compare_results

    rows = compare_results(committed, fresh)
    table = markdown_table([["result file", "accuracy", "committed (%)", "retrained (%)", "difference (points)"],
                            *([name, key, f"{100 * a:.2f}", f"{100 * b:.2f}", f"{100 * (b - a):+.2f}"]
                              for name, key, a, b in rows)])
    text = (f"Retrained ({fresh}) against committed ({committed}): {len(rows)} accuracies of "
            f"{len({r[0] for r in rows})} result files with the same config\n\n{table}\n")
    atomic_write_bytes(text.encode(), out)
    return text


# ------------------------------------------------------------------------------------------- scorecard, report


def report(profile: str, notebooks: Path, out: Path, readme: bool) -> int:
    """The scorecard and the HTML report of the executed ``notebooks`` (:func:`.report.make_report`)."""
    try:
        from .report import make_report
    except ImportError as exc:
        return fail(f"the report needs nbconvert ({exc}): pip install 'colorcnn-repro[notebooks]'")
    from .experiments.studies import current_result_path

    print(f"report: {make_report(profile, notebooks, out, readme, current_result_path(profile))}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    return report(args.profile, args.notebooks, args.out, not args.no_readme)


def cmd_scorecard(args: argparse.Namespace) -> int:
    from .experiments.studies import current_result_path
    from .report import scorecard

    card, path = scorecard.regenerate(args.profile, None if args.no_readme else scorecard.README,
                                      current_result_path(args.profile))
    print(f"{scorecard.summary_line(card)} → {path}")
    return 0


# ------------------------------------------------------------------------------------------------ lab, bench

BENCHMARKS = REPO_ROOT / "benchmarks"


def cmd_lab(args: argparse.Namespace) -> int:
    from .lab import main as lab

    lab(args.args)  # replaces this process
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Run ``benchmarks/<name>.py`` (JSON to stdout) with the remaining arguments."""
    import runpy

    script = BENCHMARKS / f"{args.name}.py"
    if not script.is_file():
        raise FileNotFoundError(f"no benchmark script {script}: the benchmarks ship with the repository, "
                                "not with an installed package")
    sys.argv = [str(script), *args.args]
    runpy.run_path(str(script), run_name="__main__")
    return 0


# ------------------------------------------------------------------------------------------------ parser


def key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value


def device_name(text: str) -> str:
    import torch

    try:
        torch.device(text)
    except RuntimeError as exc:
        raise argparse.ArgumentTypeError(f"invalid torch device {text!r}") from exc
    return text


def add_stage(sub: argparse._SubParsersAction, name: str, summary: str,
              func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    """A training / evaluation command with the options they share."""
    p = sub.add_parser(name, help=summary)
    p.set_defaults(func=func)
    p.add_argument("--profile", choices=PROFILES, default="cpu",
                   help="configuration profile: smoke (minutes, CI), cpu (2-core reproduction), paper "
                        "(default: %(default)s)")
    p.add_argument("--set", metavar="KEY=VALUE", type=key_value, action="append",
                   help="override a config field, e.g. --set classifier.epochs=3 (dotted keys reach nested "
                        "configs; a plain key applies wherever the field exists); repeatable")
    p.add_argument("--data-root", type=Path, metavar="DIR",
                   help="dataset folder (default: $COLORCNN_DATA, else <repo>/data)")
    p.add_argument("--device", type=device_name, help="torch device, e.g. cpu or cuda:0 (default: CUDA if present)")
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="colorcnn", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)

    q = sub.add_parser(
        "quantize", help="colour-quantize images to indexed PNGs",
        description="Quantize images to at most C colours and write <stem>-<method>-<C>.png indexed PNGs. "
                    "Inputs are converted to 8-bit RGB first: greyscale is replicated, RGBA/LA and transparent "
                    "palette images are composited over white, 16-bit images are scaled to 8 bits.")
    q.add_argument("images", nargs="+", metavar="IMAGE",
                   help="image files, or folders (their image files, not recursive)")
    q.add_argument("--method", required=True, choices=[*METHODS, *LEARNED], help="quantization method")
    q.add_argument("--colors", type=int, required=True, metavar="C", help="colour-space size, 2..256")
    q.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder (created if missing)")
    q.add_argument("--checkpoint", metavar="PATH|TAG",
                   help="ColorCNN/ColorCNN+ weights: a file, or a zoo tag as `colorcnn zoo` lists it, e.g. "
                        "colorcnn/cifar10/alexnet/cpu/C=2/15-epochs (default: the profile's zoo model)")
    q.add_argument("--json", action="store_true", help="print one JSON list instead of a table")
    q.add_argument("--profile", choices=PROFILES, default="cpu",
                   help="zoo profile of the pretrained model (default: %(default)s)")
    q.add_argument("--dataset", default="cifar10", help="dataset the zoo model was trained on (default: %(default)s)")
    q.add_argument("--classifier", default="alexnet",
                   help="classifier the zoo model was trained against (default: %(default)s)")
    q.add_argument("--device", type=device_name, help="torch device for learned methods (default: CUDA if present)")
    q.set_defaults(func=cmd_quantize)

    z = sub.add_parser("zoo", help="list the model zoo: tag, file, config key, accuracy, current or not",
                       description="List every model of the zoo (colorcnn_repro/zoo/) by readable tag "
                                   "(<stage>/<dataset>/<classifier>/<profile>, ColorCNN: .../C=<colours>), with its "
                                   "weights file, config key, accuracy from results/<profile>/ and whether it is the "
                                   "one its profile loads now (older configs stay listed as not current).")
    z.add_argument("--json", action="store_true", help="print the index as one JSON list instead of a table")
    z.set_defaults(func=cmd_zoo)

    add_stage(sub, "train-classifier", "train the classifier (or load it) and score it on original images",
              cmd_train_classifier)
    for method in LEARNED.values():
        p = add_stage(sub, train_verb(method.name), f"train {method.title} "
                      f"({'one model per' if method.per_color else 'one model for every'} colour count)",
                      cmd_train_learned)
        p.set_defaults(learned=method.name)
        if method.per_color:
            p.add_argument("--colors", type=int, nargs="+", choices=TRAINABLE_COLORS, default=[2, 4, 8, 16, 32, 64],
                           metavar="C", help=f"train one {method.title} per colour count C, a power of two from 2 "
                                             "to 256 (default: 2 4 8 16 32 64, i.e. 1-6 bits)")
    p = add_stage(sub, "evaluate", "accuracy vs colour-space size for every method, bpp, JPEG reference", cmd_evaluate)
    p.add_argument("--npz", metavar="FILE", help="evaluate on this .npz (arrays images N×H×W×3 uint8, labels N)")
    p.add_argument("--method", action="append", metavar="MODULE:FACTORY",
                   help="also evaluate your own quantizer: FACTORY() from MODULE (importable, or a .py file) returns "
                        "an object with quantize(image, colors); repeatable (docs/compare-your-quantizer.md)")
    p.add_argument("--force", action="store_true", help="recompute even if the results JSON exists")

    p = add_stage(sub, "curve", "the compute curve: learned quantizers' lead over MedianCut and k-means by training "
                                "length (trains only with --train)", cmd_curve)
    p.add_argument("--train", action="store_true",
                   help="first train the runs to --until, resuming each from runs/ or its archived state in "
                        "checkpoints/<profile>/ (hours at the cpu profile)")
    p.add_argument("--until", type=int, metavar="EPOCHS", help="the last cycle end to train and show (default: all)")
    p.add_argument("--model", action="append", metavar="LABEL",
                   help="train only this run of the curve, e.g. 'ColorCNN C=2'; repeatable (default: every run)")
    p.add_argument("--publish", action="store_true",
                   help="then put each run's (or each --model's) longest evaluated model into the zoo, tagged "
                        "<epochs>-epochs and any --set (from its cycle-end model under runs/), removing the run's "
                        "shorter ones there and, once the run is complete, its archived state")

    p = sub.add_parser("reproduce", help="run every notebooks/NN_*.ipynb in order with papermill")
    p.add_argument("--profile", choices=PROFILES, default="cpu",
                   help="profile passed to each notebook as the `profile` parameter (default: %(default)s)")
    p.add_argument("--notebooks", type=Path, default=REPO_ROOT / "notebooks", metavar="DIR",
                   help="folder of NN_*.ipynb notebooks (default: <repo>/notebooks)")
    p.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "notebooks", metavar="DIR",
                   help="where executed copies go (default: <repo>/build/notebooks, outside git)")
    p.add_argument("--only", nargs="+", metavar="NN", default=(),
                   help="run only the notebooks with these two-digit numbers, e.g. --only 05 06")
    p.add_argument("--train-missing", action="store_true",
                   help="train the models the notebooks need that neither runs/ nor the zoo holds (by default a "
                        "missing model stops the notebook: the zoo ships every model of the cpu profile)")
    p.add_argument("--retrain", type=Path, metavar="DIR",
                   help="retrain everything from scratch, into new folders under DIR (runs, results, figures, "
                        "checkpoints, an empty zoo, cache), then print and write DIR/differences.md: every "
                        "accuracy beside the committed results/<profile>/ one")
    p.add_argument("--report", type=Path, nargs="?", const=REPO_ROOT / "build" / "report", metavar="DIR",
                   help="then write results/<profile>/scorecard.json and an HTML report of every executed notebook "
                        "with the scorecard (default DIR: <repo>/build/report)")
    p.set_defaults(func=cmd_reproduce)

    p = sub.add_parser("scorecard", help="score results/<profile>/ against the paper: scorecard.json, the README's "
                                         "summary and docs/scorecard.md")
    p.add_argument("--profile", choices=PROFILES, default="cpu",
                   help="results/<profile>/ to score (default: %(default)s)")
    p.add_argument("--no-readme", action="store_true", help="leave README.md and docs/scorecard.md as they are")
    p.set_defaults(func=cmd_scorecard)

    p = sub.add_parser("report", help="the scorecard, then an HTML report of the notebooks `colorcnn reproduce` ran")
    p.add_argument("--profile", choices=PROFILES, default="cpu",
                   help="results/<profile>/ to score (default: %(default)s)")
    p.add_argument("--notebooks", type=Path, default=REPO_ROOT / "build" / "notebooks", metavar="DIR",
                   help="executed notebooks (default: <repo>/build/notebooks)")
    p.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "report", metavar="DIR",
                   help="report folder (default: <repo>/build/report)")
    p.add_argument("--no-readme", action="store_true", help="leave README.md and docs/scorecard.md as they are")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("lab", help="JupyterLab on notebooks/ (127.0.0.1 only) with the project's kernel; further "
                                   "arguments go to JupyterLab, e.g. --port 8899 --no-browser")
    p.set_defaults(func=cmd_lab, args=[])

    p = sub.add_parser("bench", help="run a benchmark of benchmarks/ (JSON to stdout)")
    p.add_argument("name", choices=sorted(s.stem for s in BENCHMARKS.glob("*.py")),
                   help="the script: quantizers, train_step, big_photo, or device_check (a GPU's device check)")
    p.add_argument("args", nargs=argparse.REMAINDER, help="passed to the script, e.g. --n 1000")
    p.set_defaults(func=cmd_bench)
    return parser


def error_text(exc: Exception) -> str:
    """What a failed command prints: the error, and for a missing model the command that trains it. (A
    MissingModelError comes from the store, loaded with torch by the work that raised it; a command that failed
    before loading it has none to tell.)"""
    store = sys.modules.get("colorcnn_repro.store")
    if store is not None and isinstance(exc, store.MissingModelError):
        from .zoo.commands import with_hint

        return with_hint(exc)
    return str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``colorcnn`` console script; returns the exit status."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # only JupyterLab takes arguments of its own
        if args.command != "lab":
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.args = extra
    with warnings.catch_warnings():
        warnings.showwarning = show_warning
        try:
            return args.func(args)
        except (ValueError, OSError) as exc:  # MissingDataError and FileNotFoundError are OSErrors
            return fail(error_text(exc))
        except KeyboardInterrupt:
            return fail("interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
