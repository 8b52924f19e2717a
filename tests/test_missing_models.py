"""Loading never trains: a missing model raises MissingModelError naming it and where it was looked for (the
zoo and the command line add the ``colorcnn`` command that trains it), and no run folder is created; training
paths train the classifier explicitly (ensure_classifier)."""
from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import torch

from colorcnn_repro.cli import build_parser, main, overrides
from colorcnn_repro.config import config_key
from colorcnn_repro.models import build_normalized_classifier, classifier_checkpoint
from colorcnn_repro.profiles import get_config
from colorcnn_repro.store import MissingModelError, run_dir, run_path, zoo_path
from colorcnn_repro.training import TRAINERS, loops, runs
from colorcnn_repro.zoo import load_pretrained, pretrained_config, pretrained_quantizer
from colorcnn_repro.zoo.commands import train_command


@pytest.fixture(autouse=True)
def no_training(monkeypatch, tmp_path) -> Path:
    """Runs, caches and results under tmp_path; any training fails the test. Returns the runs folder."""
    for var, name in (("COLORCNN_RUNS", "runs"), ("COLORCNN_CACHE", "cache"), ("COLORCNN_RESULTS", "results")):
        monkeypatch.setenv(var, str(tmp_path / name))

    def trains(*args, **kwargs):
        raise AssertionError("a model was trained")

    for module, name in ((loops, "train_classifier"), (runs, "fit")):
        monkeypatch.setattr(module, name, trains)
    for method in TRAINERS:
        monkeypatch.setitem(TRAINERS, method, trains)
    return tmp_path / "runs"


def test_frozen_classifier_never_trains(no_training: Path, capsys) -> None:
    cfg = get_config("classifier", "smoke")
    with pytest.raises(MissingModelError) as err:
        loops.frozen_classifier(cfg)
    message = str(err.value)
    assert isinstance(err.value, FileNotFoundError) and (err.value.stage, err.value.cfg) == ("classifier", cfg)
    for fragment in (f"no trained classifier model classifier-{config_key(cfg)}",
                     str(run_path("classifier", cfg) / "model.pt"), str(zoo_path("classifier", cfg)),
                     "loading never trains a model: train it first"):
        assert fragment in message
    # the command line names the command that trains it
    assert main(["evaluate", "--profile", "smoke"]) != 0
    assert "train it first with `colorcnn train-classifier --profile smoke`" in capsys.readouterr().err
    assert not no_training.exists()


@pytest.mark.parametrize(("name", "colors", "command"), [
    ("classifier", None, "colorcnn train-classifier --profile smoke"),
    ("colorcnn", 4, "colorcnn train-colorcnn --profile smoke --colors 4"),
    ("colorcnn+", None, "colorcnn train-colorcnn-plus --profile smoke"),
])
def test_load_pretrained_never_trains(no_training: Path, name: str, colors: int | None, command: str) -> None:
    cfg = pretrained_config(name, colors=colors, profile="smoke")
    with pytest.raises(MissingModelError, match=f"train it with `{command}`") as err:
        load_pretrained(name, colors=colors, profile="smoke")
    assert str(run_path(name, cfg) / "model.pt") in str(err.value) and str(zoo_path(name, cfg)) in str(err.value)
    assert not no_training.exists()


def test_learned_quantizer_never_trains(no_training: Path) -> None:
    with pytest.raises(MissingModelError, match="`colorcnn train-colorcnn --profile smoke --colors 8`"):
        pretrained_quantizer("colorcnn", colors=8, profile="smoke")
    with pytest.raises(MissingModelError, match="`colorcnn train-colorcnn-plus --profile smoke "
                                                "--set dataset=tinyimagenet`"):
        pretrained_quantizer("colorcnn+", dataset="tinyimagenet", profile="smoke")
    assert not no_training.exists()


@pytest.mark.parametrize(("stage", "profile", "over"), [
    ("classifier", "cpu", {}),
    ("classifier", "smoke", {"dataset": "tinyimagenet", "classifier.epochs": 3, "limit_train": None}),
    ("colorcnn", "paper", {"colors": 16}),
    ("colorcnn", "cpu", {"colors": 256, "colorcnn.width": 8, "classifier.optim.lr": 0.05}),
    ("colorcnn+", "smoke", {"colorcnn_plus.lam": 0.0, "task_colors": [2, 4], "colorcnn_plus.optim.name": "adam"}),
])
def test_train_command_trains_that_config(stage: str, profile: str, over: dict) -> None:
    cfg = get_config(stage, profile, over)
    command = train_command(stage, cfg)
    assert command is not None
    words = shlex.split(command)
    assert words[0] == "colorcnn"
    args = build_parser().parse_args(words[1:])
    assert args.command == f"train-{stage.replace('+', '-plus')}"
    colors = {"colors": args.colors[0]} if stage == "colorcnn" else {}
    assert config_key(get_config(stage, args.profile, {**overrides(args), **colors})) == config_key(cfg)


def test_no_command_trains_a_colorcnn_for_other_colour_counts() -> None:
    assert train_command("colorcnn", get_config("colorcnn", "cpu", {"colors": 3})) is None
    with pytest.raises(MissingModelError, match="ColorCNN is trained for C = 2\\*\\*bits only"):
        load_pretrained("colorcnn", colors=3, profile="smoke")


def test_ensure_classifier_trains_only_a_missing_one(monkeypatch) -> None:
    cfg = get_config("classifier", "smoke")
    trained: list[str] = []

    def train(cfg, root=None, device=None) -> Path:
        trained.append(config_key(cfg))
        torch.manual_seed(0)
        model = build_normalized_classifier("alexnet", 10, "cifar10")
        run = run_dir("classifier", cfg)
        torch.save(classifier_checkpoint(model, "alexnet", 10, "cifar10"), run / "model.pt")
        return run

    monkeypatch.setattr(loops, "train_classifier", train)
    clf = loops.ensure_classifier(cfg, device="cpu")
    assert trained == [config_key(cfg)] and not any(p.requires_grad for p in clf.parameters())
    loops.ensure_classifier(cfg, device="cpu")
    loops.frozen_classifier(cfg, device="cpu")
    assert trained == [config_key(cfg)]
