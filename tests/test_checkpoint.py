"""Checkpoints (colorcnn_repro.models.checkpoint): every file loads with ``weights_only=True``, the shipped zoo
included, and a training checkpoint (model, optimizer, scheduler, history) round-trips through it."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import torch

from colorcnn_repro.config import OPTIMIZERS, SCHEDULES, OptimConfig
from colorcnn_repro.files import atomic_write_json
from colorcnn_repro.models import ColorCNN, ColorQuantizerNet, NormalizedClassifier, build_normalized_classifier
from colorcnn_repro.models.checkpoint import (
    classifier_checkpoint,
    load_checkpoint,
    load_classifier,
    load_model,
    quantizer_checkpoint,
    resume_training,
    save_checkpoint,
    training_checkpoint,
)
from colorcnn_repro.paths import zoo_root
from colorcnn_repro.training.loops import optimizer_and_schedule

ZOO_KINDS = {"classifier": "classifier", "colorcnn": "colorcnn", "colorcnn_plus": "colorcnn+"}


@pytest.mark.parametrize("path", sorted(zoo_root().glob("*.pt")), ids=lambda p: p.name)
def test_every_zoo_model_loads_with_weights_only(path: Path) -> None:
    kind = ZOO_KINDS[path.name.rpartition("-")[0]]
    model = load_model(path, kind)
    assert isinstance(model, NormalizedClassifier if kind == "classifier" else ColorQuantizerNet)
    assert not model.training


class Payload:
    """Not a tensor or plain data: a weights-only load must refuse it."""


def test_loading_refuses_code_and_names_the_file(tmp_path) -> None:
    path = tmp_path / "evil.pt"
    torch.save({"kind": "classifier", "payload": Payload()}, path)
    with pytest.raises(ValueError, match="evil.pt.*weights_only=True"):
        load_checkpoint(path)
    with pytest.raises(FileNotFoundError, match="no trained model at .*missing.pt"):
        load_checkpoint(tmp_path / "missing.pt")
    with pytest.raises(ValueError, match="unknown model kind 'vgg'; accepted: classifier, colorcnn, colorcnn\\+"):
        load_model(path, "vgg")


def test_classifier_round_trip_and_kind_mismatch(tmp_path) -> None:
    torch.manual_seed(0)
    model = build_normalized_classifier("alexnet", 10, "cifar10").eval()
    save_checkpoint(classifier_checkpoint(model, "alexnet", 10, "cifar10", [{"total": 1.5, "epoch": 1}]),
                    tmp_path / "clf.pt")
    restored = load_classifier(tmp_path / "clf.pt")
    x = torch.rand(2, 3, 32, 32)
    assert torch.equal(restored(x), model(x))
    assert load_checkpoint(tmp_path / "clf.pt")["history"] == [{"total": 1.5, "epoch": 1}]
    save_checkpoint(quantizer_checkpoint(ColorCNN(4, width=4)), tmp_path / "q.pt")
    with pytest.raises(ValueError, match="q.pt: not a classifier checkpoint \\(kind='colorcnn'\\)"):
        load_classifier(tmp_path / "q.pt")
    with pytest.raises(ValueError, match="clf.pt: not a ColorCNN/ColorCNN\\+ checkpoint"):
        load_model(tmp_path / "clf.pt", "colorcnn+")


def trained_objects(name: str, schedule: str, steps: int):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))
    opt, sched = optimizer_and_schedule(model, OptimConfig(name=name, schedule=schedule, restart_epochs=1), 3, 4)
    for step in range(steps):
        opt.zero_grad()
        model(torch.randn(5, 3, generator=torch.Generator().manual_seed(step))).square().sum().backward()
        opt.step()
        sched.step()
    return {"model": model, "optimizer": opt, "scheduler": sched}


@pytest.mark.parametrize("name,schedule", list(itertools.product(OPTIMIZERS, SCHEDULES)))
def test_training_checkpoint_round_trips_with_weights_only(tmp_path, name: str, schedule: str) -> None:
    """model + optimizer + OneCycleLR / CosineAnnealingWarmRestarts state + history, saved and resumed: the
    resumed objects continue exactly as the uninterrupted ones."""
    done = trained_objects(name, schedule, 5)
    history = [{"total": 0.5, "images_per_s": 10.0, "epoch": 1}]
    save_checkpoint(training_checkpoint(done, history, 1), tmp_path / "checkpoint.pt")
    fresh = trained_objects(name, schedule, 0)
    assert resume_training(load_checkpoint(tmp_path / "checkpoint.pt"), fresh) == (history, 1)
    for objects in (done, fresh):  # one more step on both
        objects["optimizer"].zero_grad()
        objects["model"](torch.ones(5, 3)).square().sum().backward()
        objects["optimizer"].step()
        objects["scheduler"].step()
    for key in done["model"].state_dict():
        assert torch.equal(done["model"].state_dict()[key], fresh["model"].state_dict()[key]), key
    assert done["scheduler"].get_last_lr() == fresh["scheduler"].get_last_lr()


def test_training_checkpoint_errors() -> None:
    objects = trained_objects("sgd", "onecycle", 0)
    with pytest.raises(ValueError, match="missing scheduler, epoch"):
        resume_training({"model": {}, "optimizer": {}, "history": []}, objects)
    with pytest.raises(ValueError, match="clash"):
        training_checkpoint({"epoch": objects["model"]}, [], 0)


def test_atomic_write_json_options_and_no_temporary_file(tmp_path) -> None:
    atomic_write_json({"b": "γ", "a": 1}, tmp_path / "sub" / "x.json", sort_keys=False, ensure_ascii=False)
    assert (tmp_path / "sub" / "x.json").read_text(encoding="utf-8") == '{\n  "b": "γ",\n  "a": 1\n}\n'
    assert not list((tmp_path / "sub").glob("*.tmp"))
