"""Training engine: configs, augmentation, task schedule, imitation targets, resume, checkpoints, metrics."""
from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from killing import DiesAtEpoch, Killed

from colorcnn_repro.config import (
    ClassifierConfig,
    ColorCNNConfig,
    ColorCNNPlusConfig,
    OptimConfig,
    config_dict,
    config_key,
    dict_key,
)
from colorcnn_repro.evaluation.metrics import average_precision, exact_match, mcnemar_p, mean_average_precision, stars
from colorcnn_repro.models.checkpoint import load_checkpoint, save_checkpoint
from colorcnn_repro.profiles import DATASET_DEFAULTS, get_config
from colorcnn_repro.quantizers.batched import quantize_batch
from colorcnn_repro.store import model_file, run_dir
from colorcnn_repro.training import TRAINERS, augment, loops, runs, targets
from colorcnn_repro.training.runs import NonFiniteLoss, epoch_generator


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Runs and caches under tmp_path, never in the repository."""
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("COLORCNN_CACHE", str(tmp_path / "cache"))


# ---------------------------------------------------------------- configs

def test_dotted_override_reaches_nested_config_and_coerces_strings() -> None:
    cfg = get_config("colorcnn+", "smoke", {"classifier.epochs": "5", "classifier.data.limit_train": "64",
                                            "lr": "1e-3", "kd": "true", "task_colors": "[2, 4]"})
    assert cfg.classifier.epochs == 5 and isinstance(cfg.classifier.epochs, int)
    assert cfg.classifier.data.limit_train == 64
    assert cfg.optim.lr == pytest.approx(1e-3) and cfg.kd is True and cfg.task_colors == (2, 4)
    assert cfg.epochs == get_config("colorcnn+", "smoke").epochs  # the dotted key touched only the classifier


def test_plain_override_applies_wherever_the_field_exists() -> None:
    cfg = get_config("colorcnn+", "smoke", {"epochs": "3", "limit_train": 32, "seed": "4"})
    assert cfg.epochs == 3 and cfg.classifier.epochs == 3
    assert cfg.classifier.data.limit_train == 32
    assert cfg.seed == cfg.classifier.seed == cfg.classifier.data.seed == 4


@pytest.mark.parametrize(("key", "text", "value"), [
    ("classifier.data.limit_train", "null", None),
    ("task_colors", "8", (8,)),
    ("task_colors", "[2, 64]", (2, 64)),
    ("classifier.data.dataset", "cifar100", "cifar100"),
    ("classifier.data.dataset", "123", "123"),  # a string field stays a string
    ("post_augment", "false", False),
    ("batch_size", 16, 16),
])
def test_override_type_coercion(key: str, text, value) -> None:
    cfg = get_config("colorcnn+", "smoke", {key: text})
    for part in key.split("."):
        cfg = getattr(cfg, part)
    assert cfg == value and type(cfg) is type(value)


def test_bool_override_rejects_non_bool() -> None:
    with pytest.raises(ValueError, match="true/false"):
        get_config("colorcnn+", "smoke", {"kd": "yes"})


def test_integer_text_for_float_field_keeps_the_run_key() -> None:
    cfg = get_config("colorcnn+", "smoke", {"gamma": "1"})
    assert isinstance(cfg.gamma, float)
    assert config_key(cfg) == config_key(get_config("colorcnn+", "smoke"))


def test_dataset_defaults_come_before_overrides() -> None:
    """The cpu profile evaluates the Tiny-ImageNet subset on its test folder; the caller's overrides still win,
    and the quantizers see the caller's classifier."""
    tiny = get_config("evaluate", "cpu", {"dataset": "tinyimagenet"})
    defaults = DATASET_DEFAULTS[("cpu", "tinyimagenet")]
    assert tiny.split == "test" and get_config("evaluate", "cpu").split == "val"
    assert get_config("evaluate", "cpu", {"dataset": "tinyimagenet", "split": "val"}).split == "val"
    short = get_config("evaluate", "cpu", {"dataset": "tinyimagenet", "classifier.epochs": 3})
    assert short.colorcnn_plus.classifier.epochs == 3 and short.colorcnn.classifier.epochs == 3
    assert config_key(tiny) == config_key(get_config("evaluate", "cpu", {"dataset": "tinyimagenet", **defaults}))
    assert get_config("classifier", "cpu", {"dataset": "tinyimagenet", "classifier.epochs": 3}).epochs == 3
    assert get_config("classifier", "cpu").epochs == 24
    assert get_config("evaluate", "smoke", {"dataset": "tinyimagenet"}).split == "val"


def test_unknown_override_lists_accepted_keys() -> None:
    with pytest.raises(ValueError, match="accepted") as err:
        get_config("colorcnn", "smoke", {"learning_rate": 0.1})
    assert "'learning_rate'" in str(err.value)
    for name in ("lr", "epochs", "gamma", "limit_train"):
        assert name in str(err.value)
    with pytest.raises(ValueError, match="section"):
        get_config("colorcnn", "smoke", {"nosuch.lr": 0.1})
    with pytest.raises(ValueError, match="profile"):
        get_config("colorcnn", "huge")
    with pytest.raises(ValueError, match="stage"):
        get_config("train", "smoke")


@pytest.mark.parametrize(("key", "value", "message"), [
    ("colorcnn.epochs", "abc", "setting 'colorcnn.epochs' needs int, got 'abc'"),
    ("colorcnn.epochs", "2.5", "setting 'colorcnn.epochs' needs an integer, got '2.5'"),
    ("limit", "x", "setting 'limit' needs int or None, got 'x'"),
    ("colorcnn_plus.task_colors", '[2, "a"]', "setting 'colorcnn_plus.task_colors' needs a tuple of int"),
    ("colorcnn.optim.lr", '"fast"', "setting 'colorcnn.optim.lr' needs float, got '\"fast\"'"),
])
def test_a_set_value_of_the_wrong_type_is_refused_naming_key_value_and_type(key: str, value: str,
                                                                            message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        get_config("evaluate", "smoke", {key: value})
    assert get_config("evaluate", "smoke", {"limit": "null", "colorcnn.optim.lr": "1"}).colorcnn.optim.lr == 1.0


def test_config_key_golden_values() -> None:
    """The keys of the default configs are fixed: a change to a config's shape or defaults shows up here (and
    orphans every committed run, zoo entry and result keyed by the old keys: update them together)."""
    assert config_key(ClassifierConfig()) == "34db522af3"
    assert config_key(ColorCNNConfig()) == "f743d56285"
    assert config_key(ColorCNNPlusConfig()) == "5ff780b327"


def test_config_key_of_a_replaced_field_keeps_earlier_keys() -> None:
    """``rp_schedule`` replaced the flag ``rp_scale_by_colors``: ``sigmoid`` keys as the flag's true did (the
    golden value is the key the flag gave before the change), ``constant`` and ``entropy_reduction="sum"`` as
    the default did; ``gate`` and ``mean`` are new keys. Stored dicts of either form key alike."""
    plus = ColorCNNPlusConfig()
    assert config_key(dataclasses.replace(plus, rp_schedule="sigmoid")) == "9d28fbedee"
    assert config_key(dataclasses.replace(plus, rp_schedule="gate")) not in {"9d28fbedee", "5ff780b327"}
    assert config_key(dataclasses.replace(plus, entropy_reduction="mean")) != "5ff780b327"
    stored = config_dict(plus)
    del stored["rp_schedule"], stored["entropy_reduction"]
    assert dict_key({**stored, "rp_scale_by_colors": False}) == "5ff780b327"
    with pytest.raises(ValueError, match="'colorcnn_plus.rp_schedule' = 'step' is not one of constant, gate, sigmoid"):
        get_config("colorcnn+", "smoke", {"colorcnn_plus.rp_schedule": "step"})


def test_config_key_sensitive_to_nested_fields() -> None:
    cfg = get_config("colorcnn+", "cpu")
    key = config_key(cfg)
    assert key == config_key(get_config("colorcnn+", "cpu")) and len(key) == 10
    assert config_key(dataclasses.replace(cfg, optim=dataclasses.replace(cfg.optim, lr=0.02))) != key
    nested = dataclasses.replace(cfg, classifier=dataclasses.replace(
        cfg.classifier, data=dataclasses.replace(cfg.classifier.data, seed=1)))
    assert config_key(nested) != key
    assert config_dict(cfg)["classifier"]["data"]["dataset"] == "cifar10"


@pytest.mark.parametrize(("name", "schedule", "kind"), [("sgd", "onecycle", "OneCycleLR"),
                                                         ("adam", "warm_restarts", "CosineAnnealingWarmRestarts")])
def test_optimizer_and_schedule_follow_the_optim_section(name: str, schedule: str, kind: str) -> None:
    model = torch.nn.Linear(2, 1)
    optim = OptimConfig(name=name, lr=0.5, momentum=0.8, schedule=schedule, restart_epochs=2)
    opt, sched = loops.optimizer_and_schedule(model, optim, steps_per_epoch=3, epochs=4)
    assert type(opt).__name__ == {"sgd": "SGD", "adam": "Adam"}[name] and type(sched).__name__ == kind
    if schedule == "warm_restarts":  # cosine from lr to 0 over restart_epochs × steps = 6 steps, then again
        assert opt.param_groups[0]["betas"][0] == 0.8
        lrs = []
        for _ in range(7):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        assert lrs[0] == pytest.approx(0.5) and lrs[3] == pytest.approx(0.25) and lrs[6] == pytest.approx(0.5)


def test_unknown_optimizer_or_schedule_is_named() -> None:
    model = torch.nn.Linear(2, 1)
    with pytest.raises(ValueError, match="'rmsprop'.*sgd, adam"):
        loops.optimizer_and_schedule(model, OptimConfig(name="rmsprop"), 1, 1)
    with pytest.raises(ValueError, match="'step'.*onecycle, warm_restarts"):
        loops.optimizer_and_schedule(model, OptimConfig(schedule="step"), 1, 1)


def test_colorcnn_r_color_weight_gamma_log2c(monkeypatch) -> None:
    """With ``gamma_log2c`` the ColorCNN objective is task + γ·log2 C · R_color (authors' code): at C = 8 and
    γ = 0.5 the weight is 1.5."""
    seen = {}

    def fake_loss(logits, labels, m, *, gamma, teacher_logits, multilabel):
        seen["gamma"] = gamma
        return {"total": logits.sum()}

    monkeypatch.setattr(loops, "colorcnn_loss", fake_loss)
    cfg = get_config("colorcnn", "smoke", {"colors": 8, "gamma": 0.5, "gamma_log2c": True, "xi": 0.0})
    torch.manual_seed(0)
    model = loops.ColorCNN(8, width=4, head_width=8).train()
    clf = loops.build_normalized_classifier("alexnet", 10, "cifar10").eval()
    loops.colorcnn_terms(model, clf, cfg, torch.rand(2, 3, 16, 16), torch.tensor([1, 2]), torch.Generator())
    assert seen["gamma"] == pytest.approx(1.5)
    loops.colorcnn_terms(model, clf, dataclasses.replace(cfg, gamma_log2c=False), torch.rand(2, 3, 16, 16),
                         torch.tensor([1, 2]), torch.Generator())
    assert seen["gamma"] == pytest.approx(0.5)


def test_run_dir_uses_colorcnn_runs(tmp_path) -> None:
    cfg = ClassifierConfig()
    run = run_dir("classifier", cfg)
    assert run == tmp_path / "runs" / f"classifier-{config_key(cfg)}"
    assert json.loads((run / "config.json").read_text())["classifier"] == "alexnet"
    assert run_dir("colorcnn+", ColorCNNPlusConfig()).name.startswith("colorcnn_plus-")
    assert model_file("classifier", dataclasses.replace(cfg, optim=dataclasses.replace(cfg.optim, lr=0.123))) is None


# ---------------------------------------------------------------- augmentation

def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_random_crop_draws_an_offset_per_image() -> None:
    img = torch.rand(1, 3, 16, 16, generator=gen(1))
    x = img.repeat(8, 1, 1, 1)
    out = augment.random_crop(x, 2, gen())
    assert out.shape == x.shape
    padded = torch.nn.functional.pad(img[0], (2, 2, 2, 2))
    offsets = []
    for b in range(8):
        found = [(oy, ox) for oy in range(5) for ox in range(5)
                 if torch.equal(out[b], padded[:, oy:oy + 16, ox:ox + 16])]
        assert found, "each output is a window of the zero-padded image"
        offsets.append(found[0])
    assert len(set(offsets)) > 1  # different images get different crops


def test_random_flip_applies_the_same_flip_to_image_and_target() -> None:
    x = torch.rand(16, 3, 8, 8, generator=gen(2))
    target = (x[:, 0] * 255).long()
    fx, ft = augment.random_flip(x, gen(), target)
    assert fx.shape == x.shape and ft.shape == target.shape
    assert torch.equal(ft, (fx[:, 0] * 255).long())  # consistent
    flipped = [bool(torch.equal(fx[b], x[b].flip(-1))) for b in range(16)]
    kept = [bool(torch.equal(fx[b], x[b])) for b in range(16)]
    assert all(f or k for f, k in zip(flipped, kept))
    assert any(flipped) and any(kept)  # drawn per image


def test_classifier_augment_preserves_shape_and_is_seeded() -> None:
    x = torch.rand(4, 3, 32, 32, generator=gen(3))
    a, b = augment.classifier_augment(x, gen(5)), augment.classifier_augment(x, gen(5))
    assert a.shape == x.shape and torch.equal(a, b)


def test_random_affine_is_per_image_and_differentiable() -> None:
    img = torch.rand(1, 3, 16, 16, generator=gen(4))
    x = img.repeat(4, 1, 1, 1).requires_grad_(True)
    out = augment.random_affine(x, gen())
    assert out.shape == x.shape
    assert not torch.allclose(out[0], out[1])
    out.square().sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    zero = augment.random_affine(img, gen(), degrees=0.0, translate=0.0)  # flip at most
    assert torch.allclose(zero, img, atol=1e-5) or torch.allclose(zero, img.flip(-1), atol=1e-5)


def test_post_quantization_augment_shape_and_gradient() -> None:
    x = torch.rand(6, 3, 16, 16, generator=gen(6), requires_grad=True)
    out = augment.post_quantization_augment(x, gen())
    assert out.shape == x.shape
    out.sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_random_erasing_per_image() -> None:
    x = torch.ones(8, 3, 16, 16)
    out = augment.random_erasing(x, gen(), p=1.0)
    erased = (out[:, 0] == 0).sum((1, 2))
    assert (erased > 0).all() and len(erased.unique()) > 1
    assert torch.equal(augment.random_erasing(x, gen(), p=0.0), x)


# ---------------------------------------------------------------- task schedule (Sec. 3.6.3)

def test_task_schedule_changes_every_task_every_batches() -> None:
    cfg = ColorCNNPlusConfig(task_every=3)
    tasks = loops.task_schedule(cfg, 300, gen())
    assert len(tasks) == 300 and set(tasks) <= set(cfg.task_colors)
    changes = [b for b in range(1, 300) if tasks[b] != tasks[b - 1]]
    assert changes and all(b % 3 == 0 for b in changes)  # only at block boundaries
    assert len(set(tasks)) == len(cfg.task_colors)  # 100 draws reach every C
    assert loops.task_schedule(cfg, 300, gen()) == tasks  # seeded


def test_task_schedule_once_per_epoch_with_task_every_zero() -> None:
    cfg = ColorCNNPlusConfig(task_every=0)
    per_epoch = [loops.task_schedule(cfg, 17, epoch_generator(0, e)) for e in range(12)]
    assert all(len(t) == 17 and len(set(t)) == 1 for t in per_epoch)
    assert len({t[0] for t in per_epoch}) > 1  # a new C each epoch


# ---------------------------------------------------------------- JPEG reference, cached

def test_jpeg_curve_is_computed_once_per_classifier_and_images(monkeypatch, tmp_path) -> None:
    from colorcnn_repro.data import ImageArrays
    from colorcnn_repro.experiments import pipeline
    from colorcnn_repro.models import build_normalized_classifier

    rng = np.random.default_rng(0)
    data = ImageArrays(rng.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8), np.arange(6) % 2, ["a", "b"], "t", "val")
    torch.manual_seed(0)
    clf = build_normalized_classifier("alexnet", 2, "cifar10", False).eval()
    calls = []

    def counting(clf_, data_, qualities, batch_size):
        calls.append(qualities)
        return real(clf_, data_, qualities, batch_size)

    real = pipeline.evaluate_jpeg
    monkeypatch.setattr(pipeline, "evaluate_jpeg", counting)
    cfg = get_config("evaluate", "smoke", {"jpeg_qualities": [10, 90]})
    first = pipeline.jpeg_curve(cfg, clf, data)
    assert calls == [(10,), (90,)] and [p["quality"] for p in first] == [10, 90]
    other_variant = dataclasses.replace(cfg, colorcnn_plus=dataclasses.replace(cfg.colorcnn_plus, lam=0.0))
    assert pipeline.jpeg_curve(other_variant, clf, data) == first and len(calls) == 2  # shared, not recomputed
    assert first == real(clf, data, (10, 90), 250)
    relabelled = dataclasses.replace(data, labels=1 - data.labels)
    pipeline.jpeg_curve(cfg, clf, relabelled)
    assert len(calls) == 4  # other labels: computed anew


# ---------------------------------------------------------------- imitation targets

def test_history_time_sums_seconds_or_derives_them_from_throughput() -> None:
    """Two epochs of 100 images in 4 s and 6 s: 200 images, 10 s. Throughput only (an older classifier history),
    500 images per epoch at 100 and 250 images/s: 5 + 2 = 7 s, marked as derived; without the epoch size, or
    without a history, no record."""
    from colorcnn_repro.experiments.pipeline import history_time

    timed = [{"images": 100.0, "seconds": 4.0}, {"images": 100.0, "seconds": 6.0}]
    assert history_time(timed) == {"epochs": 2, "images": 200.0, "seconds": 10.0}
    rates = [{"images_per_s": 100.0}, {"images_per_s": 250.0}]
    assert history_time(rates, 500) == {"epochs": 2, "images": 1000.0, "seconds": 7.0,
                                        "seconds_from": "images_per_s"}
    assert history_time(rates) is None and history_time(None) is None and history_time([]) is None


def test_training_record_times_each_model_once(monkeypatch) -> None:
    """Classifier: 2 epochs of 10 s; ColorCNN C=2: 1 epoch of 5 s, C=4: saved without a history (left out);
    ColorCNN+: one file of 3 epochs of 7 s = 21 s, read once though it serves both C."""
    from colorcnn_repro.experiments import pipeline

    def epochs(n: int, s: float) -> list[dict]:
        return [{"images": 100.0, "seconds": s}] * n

    files = {"classifier": epochs(2, 10.0), "colorcnn-2": epochs(1, 5.0), "colorcnn-4": None,
             "colorcnn+": epochs(3, 7.0)}
    reads: list[str] = []
    monkeypatch.setattr(pipeline, "model_file", lambda m, sub: Path(
        m if m in ("classifier", "colorcnn+") else f"{m}-{sub.colors}"))
    monkeypatch.setattr(pipeline, "load_checkpoint", lambda path: reads.append(str(path)) or {
        "history": files[str(path)]})
    cfg = dataclasses.replace(get_config("evaluate", "smoke"), bits=(1, 2))
    assert pipeline.training_record(cfg, ("mediancut", "colorcnn", "colorcnn+")) == {
        "classifier": {"all": {"epochs": 2, "images": 200.0, "seconds": 20.0}},
        "colorcnn": {"2": {"epochs": 1, "images": 100.0, "seconds": 5.0}},
        "colorcnn+": {"2": {"epochs": 3, "images": 300.0, "seconds": 21.0},
                      "4": {"epochs": 3, "images": 300.0, "seconds": 21.0}}}
    assert sorted(reads) == ["classifier", "colorcnn+", "colorcnn-2", "colorcnn-4"]


def test_main_results_trains_only_what_neither_runs_nor_the_zoo_holds(monkeypatch) -> None:
    """Bits 1–2: the zoo holds ColorCNN C=2 and ColorCNN+, so only ColorCNN C=4 is trained before the
    evaluation (an evaluation of the zoo's models once retrained them from scratch)."""
    from colorcnn_repro.experiments import pipeline

    exp = dataclasses.replace(pipeline.resolve("smoke"), results=Path("/nonexistent"))
    exp = dataclasses.replace(exp, config=dataclasses.replace(exp.config, bits=(1, 2)))
    trained: list[str] = []
    monkeypatch.setattr(pipeline, "classifier_stage", lambda *a: None)
    monkeypatch.setattr(pipeline, "evaluation_stage", lambda *a: {"evaluated": True})
    monkeypatch.setattr(pipeline, "model_file", lambda stage, cfg: (
        Path("zoo.pt") if stage == "colorcnn+" or cfg.colors == 2 else None))
    monkeypatch.setitem(TRAINERS, "colorcnn", lambda cfg, *a: trained.append(f"colorcnn C={cfg.colors}"))
    monkeypatch.setitem(TRAINERS, "colorcnn+", lambda cfg, *a: trained.append("colorcnn+"))
    assert pipeline.main_results(exp) == {"evaluated": True}
    assert trained == ["colorcnn C=4"]


def test_result_files_name_the_machine(monkeypatch, tmp_path) -> None:
    """Every result file records the CPU kernel level and the cores it was computed with (speeds differ 2–10×
    between machines of one kind), as ``machine``."""
    from colorcnn_repro.experiments import pipeline

    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX2")
    monkeypatch.setattr(pipeline.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    out = pipeline.write_result(tmp_path / "r.json", "smoke", get_config("classifier", "smoke"), {"seconds": 1.0})
    assert out["machine"] == {"cpu_capability": "AVX2", "cores": 2}
    assert json.loads((tmp_path / "r.json").read_text())["machine"] == out["machine"]
    gathered = pipeline.write_result(tmp_path / "s.json", "smoke", get_config("classifier", "smoke"), {},
                                     computed=False)  # a study of other results: each names its own machine
    assert "machine" not in gathered and "device" not in gathered


def test_imitation_targets_cached_and_equal_to_batched_mediancut(monkeypatch, tmp_path) -> None:
    images = np.random.default_rng(0).integers(0, 256, (5, 8, 8, 3), dtype=np.uint8)
    calls = []

    def counting(*args, **kwargs):
        calls.append(args[2])
        return quantize_batch(*args, **kwargs)

    monkeypatch.setattr(targets, "quantize_batch", counting)
    first = targets.imitation_targets(images, (2, 4), workers=0, chunk=3)
    assert sorted(calls) == [2, 2, 4, 4]  # two chunks per C
    second = targets.imitation_targets(images, (2, 4), workers=0, chunk=3)
    assert len(calls) == 4  # read from the cache, not recomputed
    assert list((tmp_path / "cache" / "targets").glob("mediancut-*")) != []
    for c in (2, 4):
        expected = quantize_batch(images, "mediancut", c)[0]
        assert first[c].dtype == torch.uint8 and first[c].shape == (5, 8, 8)
        assert torch.equal(first[c].long(), expected) and torch.equal(second[c], first[c])
    targets.imitation_targets(images[::-1].copy(), (2,), workers=0)  # other images: other cache entry
    assert len(calls) == 5


# ---------------------------------------------------------------- classifier training: resume, NaN

@pytest.fixture(scope="module")
def smoke_data(cifar10_data: Path):
    cfg = get_config("classifier", "smoke", {"epochs": 2, "limit_train": 64, "batch_size": 32})
    return cfg, loops.load_split(cfg.data, "train", cifar10_data), cifar10_data


@pytest.fixture
def smoke(smoke_data, monkeypatch):
    """The smoke classifier config and its (cached) 64 training images."""
    cfg, train, root = smoke_data
    monkeypatch.setenv("COLORCNN_DATA", str(root))
    monkeypatch.setattr(loops, "load_split", lambda data, split, root=None, limit=None: train)
    return cfg


def train_in(monkeypatch, folder: Path, cfg, global_seed: int = 0) -> Path:
    monkeypatch.setenv("COLORCNN_RUNS", str(folder))
    torch.manual_seed(global_seed)
    return loops.train_classifier(cfg, device="cpu")


def weights(run: Path) -> dict:
    return load_checkpoint(run / "model.pt")["state_dict"]


def test_resume_after_kill_equals_uninterrupted_run(smoke, monkeypatch, tmp_path) -> None:
    full = weights(train_in(monkeypatch, tmp_path / "full", smoke))

    dies = DiesAtEpoch(2)
    monkeypatch.setattr(loops, "run_epoch", dies)
    with pytest.raises(Killed):
        train_in(monkeypatch, tmp_path / "killed", smoke)
    run = run_dir("classifier", smoke)
    assert not (run / "model.pt").exists()
    assert load_checkpoint(run / "checkpoint.pt")["epoch"] == 1

    monkeypatch.setattr(loops, "run_epoch", runs.run_epoch)
    resumed = weights(train_in(monkeypatch, tmp_path / "killed", smoke, global_seed=99))
    assert dies.calls == 2  # epoch 1 was not repeated: the patched counter saw no more calls
    assert full.keys() == resumed.keys()
    for name in full:
        assert torch.equal(full[name], resumed[name]), name
    history = json.loads((run / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]

    # a finished run is not retrained
    monkeypatch.setattr(loops, "run_epoch", lambda *a, **k: (_ for _ in ()).throw(Killed()))
    assert train_in(monkeypatch, tmp_path / "killed", smoke) == run


def test_extended_run_equals_the_longer_run_from_scratch(smoke, monkeypatch, tmp_path) -> None:
    """runs.extend_run: one epoch, then one more from its checkpoint = two epochs from scratch, bit for bit
    (the smoke schedule restarts every epoch)."""
    long = dataclasses.replace(get_config("colorcnn", "smoke"), classifier=smoke, epochs=2, batch_size=32)
    short = dataclasses.replace(long, epochs=1)
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "full"))
    full = weights(loops.train_colorcnn(long, device="cpu"))
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "extended"))
    loops.train_colorcnn(short, device="cpu")
    assert runs.extend_run("colorcnn", short, long)
    assert not runs.extend_run("colorcnn", short, long)  # already seeded
    run = loops.train_colorcnn(long, device="cpu")
    assert [h["epoch"] for h in json.loads((run / "history.json").read_text())] == [1, 2]
    extended = weights(run)
    for name in full:
        assert torch.equal(full[name], extended[name]), name


def test_extend_run_refuses_what_would_not_be_exact() -> None:
    cc = get_config("colorcnn", "smoke")
    with pytest.raises(ValueError, match="same config"):
        runs.extend_run("colorcnn", dataclasses.replace(cc, width=8), dataclasses.replace(cc, epochs=2))
    with pytest.raises(ValueError, match="same config"):
        runs.extend_run("colorcnn", dataclasses.replace(cc, epochs=2), cc)
    onecycle = dataclasses.replace(cc, optim=dataclasses.replace(cc.optim, schedule="onecycle"))
    with pytest.raises(ValueError, match="warm_restarts"):
        runs.extend_run("colorcnn", onecycle, dataclasses.replace(onecycle, epochs=2))
    every2 = dataclasses.replace(cc, optim=dataclasses.replace(cc.optim, restart_epochs=2))
    with pytest.raises(ValueError, match="every 2 epochs"):
        runs.extend_run("colorcnn", every2, dataclasses.replace(every2, epochs=3))
    with pytest.raises(FileNotFoundError, match="train it first"):
        runs.extend_run("colorcnn", cc, dataclasses.replace(cc, epochs=2))


def test_same_config_same_weights_whatever_the_global_rng(smoke, monkeypatch, tmp_path) -> None:
    """The config's seed alone decides the result (weight init included)."""
    a = weights(train_in(monkeypatch, tmp_path / "a", smoke, global_seed=1))
    b = weights(train_in(monkeypatch, tmp_path / "b", smoke, global_seed=2))
    for name in a:
        assert torch.equal(a[name], b[name]), name


def test_nan_loss_stops_and_keeps_last_good_checkpoint(smoke, monkeypatch, tmp_path) -> None:
    calls = []
    task_loss = loops.task_loss

    def poisoned(*args, **kwargs):
        calls.append(1)
        loss = task_loss(*args, **kwargs)
        return loss * float("nan") if len(calls) > 2 else loss  # epoch 1 = 2 batches of 32

    monkeypatch.setattr(loops, "task_loss", poisoned)
    with pytest.raises(NonFiniteLoss, match="checkpoint"):
        train_in(monkeypatch, tmp_path / "nan", smoke)
    run = run_dir("classifier", smoke)
    assert not (run / "model.pt").exists()
    ckpt = load_checkpoint(run / "checkpoint.pt")
    assert ckpt["epoch"] == 1
    assert all(torch.isfinite(v).all() for v in ckpt["model"].values() if v.is_floating_point())
    model = loops.build_normalized_classifier("alexnet", 10, "cifar10")
    model.load_state_dict(ckpt["model"])
    assert not list(run.glob("*.tmp"))


# ---------------------------------------------------------------- atomic checkpoints

def test_save_checkpoint_never_leaves_a_partial_file(monkeypatch, tmp_path) -> None:
    path = tmp_path / "checkpoint.pt"
    save_checkpoint({"epoch": 1, "w": torch.ones(3)}, path)
    real_save = torch.save

    def dies_halfway(obj, f, *args, **kwargs):
        Path(f).write_bytes(b"PK\x03\x04 half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(runs.torch, "save", dies_halfway)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint({"epoch": 2, "w": torch.zeros(3)}, path)
    with pytest.raises(OSError):
        save_checkpoint({"epoch": 2}, tmp_path / "new.pt")
    monkeypatch.setattr(runs.torch, "save", real_save)
    kept = load_checkpoint(path)
    assert kept["epoch"] == 1 and torch.equal(kept["w"], torch.ones(3))
    assert not (tmp_path / "new.pt").exists()
    save_checkpoint({"epoch": 3}, path)  # a later save replaces it and cleans up the temporary file
    assert load_checkpoint(path)["epoch"] == 3
    assert not (tmp_path / "checkpoint.pt.tmp").exists()


def test_epoch_generator_is_a_function_of_seed_and_epoch() -> None:
    a = torch.rand(4, generator=epoch_generator(3, 5))
    b = torch.rand(4, generator=epoch_generator(3, 5))
    c = torch.rand(4, generator=epoch_generator(3, 6))
    assert torch.equal(a, b) and not torch.equal(a, c)


# ---------------------------------------------------------------- metrics

def test_mcnemar_by_hand() -> None:
    """Exact two-sided binomial test on discordant pairs: 10 all one way → p = 2·0.5^10."""
    a = np.array([True] * 10 + [True] * 20 + [False] * 5)
    b = np.array([False] * 10 + [True] * 20 + [False] * 5)
    assert mcnemar_p(a, b) == pytest.approx(2 * 0.5**10)
    assert mcnemar_p(b, a) == pytest.approx(2 * 0.5**10)
    # 1 vs 4 discordant: P(X ≤ 1) = 6/32, two-sided 12/32
    c = np.array([True, False, False, False, False])
    assert mcnemar_p(c, ~c) == pytest.approx(12 / 32)
    assert mcnemar_p(a, a) == 1.0  # never disagree
    assert mcnemar_p([1, 0, 1, 0], [0, 1, 0, 1]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="same images"):
        mcnemar_p(np.ones(3, bool), np.ones(4, bool))


@pytest.mark.parametrize(("p", "mark"), [(0.0001, "★★★"), (0.000999, "★★★"), (0.001, "★★"), (0.0099, "★★"),
                                         (0.01, "★"), (0.0499, "★"), (0.05, ""), (0.5, ""), (1.0, "")])
def test_stars(p: float, mark: str) -> None:
    assert stars(p) == mark


def test_average_precision_by_hand() -> None:
    """Ranks 1..4 with positives at 1 and 3: AP = (1/1 + 2/3) / 2 = 5/6."""
    assert average_precision(np.array([0.9, 0.8, 0.7, 0.6]), np.array([1, 0, 1, 0])) == pytest.approx(5 / 6)
    assert average_precision(np.array([0.6, 0.7, 0.8, 0.9]), np.array([1, 0, 0, 0])) == pytest.approx(1 / 4)
    assert average_precision(np.array([0.1, 0.9]), np.array([0, 1])) == 1.0
    assert math.isnan(average_precision(np.array([0.1, 0.2]), np.array([0, 0])))


def test_mean_average_precision_by_hand() -> None:
    scores = np.array([[0.9, 0.6, 0.5], [0.8, 0.7, 0.5], [0.7, 0.8, 0.5], [0.6, 0.9, 0.5]])
    labels = np.array([[1, 1, 0], [0, 0, 0], [1, 0, 0], [0, 0, 0]])  # third label: no positives, ignored
    assert mean_average_precision(scores, labels) == pytest.approx((5 / 6 + 1 / 4) / 2)


def test_exact_match() -> None:
    scores = np.array([[0.9, 0.2], [0.6, 0.7], [0.5, 0.49], [0.1, 0.2]])
    labels = np.array([[1, 0], [1, 0], [1, 0], [0, 1]])
    assert exact_match(scores, labels).tolist() == [True, False, True, False]
    assert exact_match(scores, labels, threshold=0.15).tolist() == [False, False, False, True]


def test_cached_scores_are_keyed_by_the_classifiers_weights_not_its_config() -> None:
    """Two trainings of one classifier config differ in their weights, so their cached scores must not mix."""
    from colorcnn_repro.data import ImageArrays
    from colorcnn_repro.experiments.pipeline import scores_key
    from colorcnn_repro.models import build_normalized_classifier

    data = ImageArrays(np.zeros((2, 32, 32, 3), np.uint8), np.array([0, 1]), ["a", "b"], "toy", "val")
    torch.manual_seed(0)
    first = build_normalized_classifier("alexnet", 10, "cifar10")
    assert scores_key(first, data) == scores_key(first, data)
    torch.manual_seed(1)
    assert scores_key(build_normalized_classifier("alexnet", 10, "cifar10"), data) != scores_key(first, data)
    other = ImageArrays(np.ones((2, 32, 32, 3), np.uint8), np.array([0, 1]), ["a", "b"], "toy", "val")
    assert scores_key(first, other) != scores_key(first, data)


def test_image_stats_by_hand() -> None:
    """Two 1×2 images, one colour each, quantized exactly (error 0) and with one channel off by 3 on one pixel of
    one image: its error is 9 / (2 pixels · 3 channels) = 1.5, the other's 0, so mse 0.75 and s.d. 1.0607."""
    from colorcnn_repro.evaluation.grid import image_stats
    from colorcnn_repro.quantized import QuantizedSet

    images = np.array([[[[10, 20, 30], [10, 20, 30]]], [[[5, 5, 5], [8, 5, 5]]]], np.uint8)
    qs = QuantizedSet(np.zeros((2, 1, 2), np.uint8), np.array([[[10, 20, 30], [0, 0, 0]], [[5, 5, 5], [0, 0, 0]]],
                                                                np.uint8))
    stats = image_stats(qs, images)
    assert stats["mse"] == pytest.approx(0.75) and stats["mse_sd"] == pytest.approx(1.06066, abs=1e-5)
    assert stats["colors_used"] == 1.0 and stats["bpp_sd"] == pytest.approx(0.0)
