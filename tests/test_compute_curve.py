"""The compute curve: doubling warm restarts, runs stopped at a cycle end and resumed from their archived state,
cycle-end models, and the trend fit (hand-computed values)."""
from __future__ import annotations

import dataclasses
import json
import math
import shutil
from pathlib import Path

import pytest
import torch
from scipy import stats

from colorcnn_repro import store
from colorcnn_repro.config import OptimConfig
from colorcnn_repro.experiments import compute_curve as cc
from colorcnn_repro.models.checkpoint import load_checkpoint
from colorcnn_repro.paths import checkpoints_root
from colorcnn_repro.profiles import get_config
from colorcnn_repro.stats import paired_se
from colorcnn_repro.training import TRAINERS, loops, runs


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Runs, caches, results and archived checkpoints under tmp_path, never in the repository."""
    for var, name in (("COLORCNN_RUNS", "runs"), ("COLORCNN_CACHE", "cache"), ("COLORCNN_RESULTS", "results"),
                      ("COLORCNN_CHECKPOINTS", "checkpoints")):
        monkeypatch.setenv(var, str(tmp_path / name))


@pytest.mark.parametrize(("schedule", "restart", "epochs", "ends"), [
    ("warm_restarts", 2, 7, [2, 4, 6]),
    ("warm_restarts", 1, 3, [1, 2, 3]),
    ("warm_restarts_doubling", 1, 31, [1, 3, 7, 15, 31]),
    ("warm_restarts_doubling", 1, 10, [1, 3, 7]),
    ("warm_restarts_doubling", 2, 14, [2, 6, 14]),
    ("onecycle", 1, 5, []),
])
def test_cycle_ends_by_hand(schedule: str, restart: int, epochs: int, ends: list[int]) -> None:
    assert runs.cycle_ends(OptimConfig(schedule=schedule, restart_epochs=restart), epochs) == ends


def test_doubling_schedule_restarts_after_1_then_2_epochs() -> None:
    """2 steps per epoch: cosine over 2 steps (lr, lr/2), restart at step 2, then over 4 steps (lr, lr·(1+cos π/4)/2,
    lr/2, lr·(1−cos π/4)/2), restart at step 6."""
    model = torch.nn.Linear(2, 1)
    opt, sched = loops.optimizer_and_schedule(model, OptimConfig(lr=1.0, schedule="warm_restarts_doubling",
                                                                 restart_epochs=1), steps_per_epoch=2, epochs=3)
    lrs = []
    for _ in range(7):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    c = math.cos(math.pi / 4)
    assert lrs == pytest.approx([1.0, 0.5, 1.0, (1 + c) / 2, 0.5, (1 - c) / 2, 1.0])


@pytest.fixture
def tiny_colorcnn(cifar10_data: Path, monkeypatch):
    """A smoke ColorCNN of 3 epochs under doubling restarts (cycle ends 1 and 3), on 64 training images."""
    clf = get_config("classifier", "smoke", {"epochs": 1, "limit_train": 64, "batch_size": 32})
    train = loops.load_split(clf.data, "train", cifar10_data)
    monkeypatch.setenv("COLORCNN_DATA", str(cifar10_data))
    monkeypatch.setattr(loops, "load_split", lambda data, split, root=None, limit=None: train)
    base = get_config("colorcnn", "smoke")
    return dataclasses.replace(base, classifier=clf, epochs=3, batch_size=32,
                               optim=dataclasses.replace(base.optim, schedule="warm_restarts_doubling"))


def weights(path: Path) -> dict:
    return load_checkpoint(path)["state_dict"]


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert torch.equal(a[name], b[name]), name


def test_run_resumed_from_its_archive_equals_the_uninterrupted_run(tiny_colorcnn, monkeypatch, tmp_path) -> None:
    """Stopped at its first cycle end, its runs/ folder lost (a new session), resumed from checkpoints/: the
    same weights, bit for bit, as three epochs in one go. The cycle-end model is the 1-epoch model."""
    cfg = tiny_colorcnn
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "whole"))
    whole = weights(loops.train_colorcnn(cfg, device="cpu") / "model.pt")
    one_epoch = weights(loops.train_colorcnn(dataclasses.replace(cfg, epochs=1), device="cpu") / "model.pt")

    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "session1"))
    run = loops.train_colorcnn(cfg, device="cpu", until=1, archive=checkpoints_root("smoke"))
    assert not (run / "model.pt").exists()
    archived = store.archived_checkpoint(run, checkpoints_root("smoke"))
    assert archived == tmp_path / "checkpoints" / "smoke" / f"{run.name}.pt" and load_checkpoint(archived)["epoch"] == 1
    snapshot = store.model_file("colorcnn", dataclasses.replace(cfg, epochs=1))
    assert_same(weights(snapshot), one_epoch)
    assert [h["epoch"] for h in load_checkpoint(snapshot)["history"]] == [1]

    shutil.rmtree(tmp_path / "session1")
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "session2"))
    resumed = loops.train_colorcnn(cfg, device="cpu", archive=checkpoints_root("smoke"))
    assert_same(weights(resumed / "model.pt"), whole)
    assert load_checkpoint(archived)["epoch"] == 3
    history = load_checkpoint(resumed / "model.pt")["history"]
    assert [h["epoch"] for h in history] == [1, 2, 3] and all(h["images"] == 64 for h in history)


def test_a_run_restarts_from_its_cycle_end_model_with_a_fresh_optimiser(tiny_colorcnn, monkeypatch, tmp_path) -> None:
    """Its 1-epoch model kept, its training state gone: the 3-epoch run starts after epoch 1 from that model's
    weights and history, the schedule at its restart (2 steps an epoch: the 2-step cycle done, the next 4 steps
    long, the learning rate back at its peak) and an optimiser with no momentum yet, and trains epochs 2 and 3."""
    cfg = tiny_colorcnn
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "runs"))
    one_epoch = loops.train_colorcnn(dataclasses.replace(cfg, epochs=1), device="cpu") / "model.pt"
    with pytest.raises(ValueError, match="2 is not one of \\[1\\]"):
        loops.restart_from_model("colorcnn", cfg, 2)
    assert loops.restart_from_model("colorcnn", cfg, 1)
    ckpt = load_checkpoint(store.run_path("colorcnn", cfg) / "checkpoint.pt")
    assert ckpt["epoch"] == 1 and ckpt["optimizer"]["state"] == {} and ckpt["restarted_from"] == str(one_epoch)
    assert_same(ckpt["model"], weights(one_epoch))
    assert (ckpt["scheduler"]["last_epoch"], ckpt["scheduler"]["T_cur"], ckpt["scheduler"]["T_i"]) == (2, 0, 4)
    assert ckpt["scheduler"]["_last_lr"] == [cfg.optim.lr]
    assert not loops.restart_from_model("colorcnn", cfg, 1)  # a run with a checkpoint is left as it is
    history = load_checkpoint(loops.train_colorcnn(cfg, device="cpu") / "model.pt")["history"]
    assert [h["epoch"] for h in history] == [1, 2, 3]


def test_the_curve_restarts_a_run_only_past_its_restart_point_and_without_an_archive(monkeypatch, tmp_path) -> None:
    """A run marked ``restart_at=1`` (smoke: cycle ends 1 and 3) is seeded from its 1-epoch model before it trains to
    3 epochs, not before its first cycle, and not when an archived state of it exists (that one resumes exactly)."""
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "runs"))
    model = cc.CurveModel("colorcnn", (1,), 3, restart_at=1)
    monkeypatch.setitem(cc.CURVE_MODELS, "smoke", {"C=2": model})
    calls: list[tuple] = []
    monkeypatch.setattr(cc, "restart_from_model", lambda method, cfg, at, root: calls.append(("restart", at)))
    monkeypatch.setitem(TRAINERS, "colorcnn", lambda cfg, root, device, until, archive: calls.append(("train", until)))
    cc.train_curve("smoke")
    assert calls == [("train", 1), ("restart", 1), ("train", 3)]
    calls.clear()
    run = store.run_path("colorcnn", cc.run_config("smoke", model))
    archive = store.archived_checkpoint(run, checkpoints_root("smoke"))
    archive.parent.mkdir(parents=True)
    archive.write_bytes(b"state")
    cc.train_curve("smoke", until=3)
    assert calls == [("train", 1), ("train", 3)]


def test_paired_leads_of_two_trainings_with_the_same_weights_are_nil(monkeypatch) -> None:
    """The same weights stored as the recipe's run and as a variant's: no image differs, so the lead is 0 and the
    McNemar p is 1 at every size; a variant never trained is a MissingModelError, and nothing is trained. Kept as a
    result, the comparison is read, not recomputed."""
    from colorcnn_repro.models import ColorCNN, build_normalized_classifier
    from colorcnn_repro.models.checkpoint import classifier_checkpoint, quantizer_checkpoint, save_checkpoint
    from colorcnn_repro.store import MissingModelError

    model = cc.CurveModel("colorcnn", (1,), 3)
    monkeypatch.setitem(cc.CURVE_MODELS, "smoke", {"C=2": model})
    torch.manual_seed(0)
    classifier = classifier_checkpoint(build_normalized_classifier("alexnet", 10, "cifar10"), "alexnet", 10, "cifar10")
    save_checkpoint(classifier, store.run_dir("classifier", get_config("classifier", "smoke")) / "model.pt")
    net = quantizer_checkpoint(ColorCNN(2, width=4))
    variant = {"colorcnn.width": 8}
    for overrides in ({}, variant):
        save_checkpoint(net, store.run_dir("colorcnn", cc.run_config("smoke", model, 1, overrides)) / "model.pt")
    monkeypatch.setitem(TRAINERS, "colorcnn", lambda *a, **k: pytest.fail("trained a model"))
    assert cc.paired_leads("smoke", "C=2", 1, variant) == {1: {"lead": 0.0, "p": 1.0}}
    with pytest.raises(MissingModelError):
        cc.paired_leads("smoke", "C=2", 1, {"colorcnn.width": 16})
    kept = cc.paired_runs("smoke", "C=2", 1, variant)
    assert kept["leads"] == {"1": {"lead": 0.0, "p": 1.0}} and kept["variant"] == variant and kept["baseline"] == {}
    monkeypatch.setattr(cc, "paired_leads", lambda *a, **k: pytest.fail("recomputed a kept comparison"))
    assert cc.paired_runs("smoke", "C=2", 1, variant) == kept


def test_publish_longest_ships_the_last_cycle_end_and_removes_what_it_supersedes(monkeypatch, tmp_path) -> None:
    """Smoke curve (both runs end at 3 epochs). After one cycle the 1-epoch models ship and the archives stay;
    after ColorCNN C=2's last cycle its 3-epoch model replaces its 1-epoch one and its archive goes, while
    ColorCNN+ (still at 1 epoch) keeps both."""
    from colorcnn_repro.results import write_result

    monkeypatch.setenv("COLORCNN_ZOO", str(tmp_path / "zoo"))
    models = cc.curve_models("smoke")
    archives = {}
    for label, model in models.items():
        whole = cc.run_config("smoke", model)
        archives[label] = store.archived_checkpoint(store.run_dir(model.method, whole), checkpoints_root("smoke"))
        archives[label].parent.mkdir(parents=True, exist_ok=True)
        archives[label].write_bytes(b"state")
        for end in (1, 3):
            trained = store.run_dir(model.method, cc.run_config("smoke", model, end)) / "model.pt"
            trained.parent.mkdir(parents=True, exist_ok=True)
            trained.write_bytes(f"{label} {end}".encode())

    def publish_at(ends: dict[str, int]) -> list[str]:
        rows = [{"model": label, "epochs": e} for label, last in ends.items() for e in range(1, last + 1, 2)]
        write_result(cc.result_file("smoke"), {"models": {label: {"overrides": []} for label in models},
                                               "rows": rows})
        return [p.read_bytes().decode() for p in cc.publish_longest("smoke")]

    assert publish_at({"ColorCNN C=2": 1, "ColorCNN+": 1}) == ["ColorCNN C=2 1", "ColorCNN+ 1"]
    assert all(a.exists() for a in archives.values())
    assert publish_at({"ColorCNN C=2": 3, "ColorCNN+": 1}) == ["ColorCNN C=2 3", "ColorCNN+ 1"]
    zoo = sorted(p.read_bytes().decode() for p in (tmp_path / "zoo").glob("*.pt"))
    assert zoo == ["ColorCNN C=2 3", "ColorCNN+ 1"] and len(list((tmp_path / "zoo").glob("*.json"))) == 2
    assert not archives["ColorCNN C=2"].exists() and archives["ColorCNN+"].exists()


def test_publish_longest_of_a_variants_own_run(monkeypatch, tmp_path) -> None:
    """A variant (ColorCNN+ with λ = 0) publishes only the run asked for, its tag naming the override; the other
    run, the profile's recipe again, stays out of the zoo."""
    from colorcnn_repro.results import write_result

    monkeypatch.setenv("COLORCNN_ZOO", str(tmp_path / "zoo"))
    variant, models = {"colorcnn_plus.lam": 0}, cc.curve_models("smoke")
    for label, model in models.items():
        trained = store.run_dir(model.method, cc.run_config("smoke", model, 1, variant)) / "model.pt"
        trained.parent.mkdir(parents=True, exist_ok=True)
        trained.write_bytes(label.encode())
    write_result(cc.result_file("smoke", variant), {"models": {label: {"overrides": []} for label in models},
                                                     "rows": [{"model": label, "epochs": 1} for label in models]})
    [path] = cc.publish_longest("smoke", variant, ["ColorCNN+"])
    assert path.read_bytes() == b"ColorCNN+" and [p.name for p in (tmp_path / "zoo").glob("*.pt")] == [path.name]
    assert json.loads(path.with_suffix(".json").read_text())["label"] == "1-epochs/colorcnn_plus.lam=0"


def test_only_runs_keeps_the_runs_asked_for() -> None:
    curve = {"models": {"A": {}, "B": {}}, "rows": [{"model": "A", "x": 1}, {"model": "B", "x": 2}],
             "pending": [{"model": "B"}], "trends": [{"model": "A"}], "profile": "cpu"}
    assert cc.only_runs(curve, ["A"]) == {"models": {"A": {}, "B": {}}, "rows": [{"model": "A", "x": 1}],
                                          "pending": [], "trends": [{"model": "A"}], "profile": "cpu"}
    with pytest.raises(ValueError, match="no run 'C' in the compute curve; accepted: A, B"):
        cc.only_runs(curve, ["C"])


def test_longest_histories_read_each_runs_last_evaluated_model(tmp_path) -> None:
    """ColorCNN C=2 evaluated after 1 and 3 epochs, ColorCNN+ after 1: the histories of those two models."""
    models, curve_rows_ = cc.curve_models("smoke"), []
    for label, end in (("ColorCNN C=2", 3), ("ColorCNN+", 1)):
        model = models[label]
        for e in range(1, end + 1, 2):
            trained = store.run_dir(model.method, cc.run_config("smoke", model, e)) / "model.pt"
            trained.parent.mkdir(parents=True, exist_ok=True)
            torch.save({"history": [{"epoch": i + 1, "task": 1.0 / (i + 1)} for i in range(e)]}, trained)
            curve_rows_.append({"model": label, "epochs": e})
    curve = {"profile": "smoke", "models": {label: {"overrides": []} for label in models}, "rows": curve_rows_}
    assert cc.longest_histories(curve) == {
        "ColorCNN C=2": [{"epoch": 1, "task": 1.0}, {"epoch": 2, "task": 0.5}, {"epoch": 3, "task": 1 / 3}],
        "ColorCNN+": [{"epoch": 1, "task": 1.0}]}


def test_training_split_evaluates_each_cycle_end_on_as_many_training_images(monkeypatch) -> None:
    """The curve has ColorCNN C=2 at 1 and 3 epochs on 7 validation images (and a ColorCNN+ row, not asked for):
    each is evaluated on 7 training images without JPEG; 60 % against MedianCut's 40 % is a lead of +20."""
    from colorcnn_repro.report import curve as report
    from colorcnn_repro.results import write_result

    seen = []

    def fake_results(exp, root=None, device=None, force=False) -> dict:
        cfg = exp.config
        seen.append((cfg.split, cfg.limit, cfg.jpeg_qualities, cfg.colorcnn.epochs, cfg.colorcnn.colors))
        scores = {"accuracy": 0.6, "colors_used": 2.0, "bpp": 1.0}
        return {"config_key": "k", "data": {"count": 7}, "training": {},
                "methods": {"colorcnn": {"1": scores}, "mediancut": {"1": {**scores, "accuracy": 0.4}},
                            "kmeans": {"1": {**scores, "accuracy": 0.5}}},
                "significance": {"1": {"colorcnn vs mediancut": {"p": 0.01}, "colorcnn vs kmeans": {"p": 0.2}}}}

    monkeypatch.setattr(cc, "main_results", fake_results)
    val = [{"model": label, "epochs": e, "bits": 1, "n_images": 7, "accuracy": 0.5, "lead_mediancut": 5.0,
            "p_mediancut": 0.3} for label, e in (("ColorCNN C=2", 1), ("ColorCNN C=2", 3), ("ColorCNN+", 1))]
    curve = write_result(cc.result_file("smoke"), {"profile": "smoke", "rows": val})
    check = cc.training_split("smoke", labels=("ColorCNN C=2",))
    assert seen == [("train", 7, (), 1, 2), ("train", 7, (), 3, 2)]
    assert [(r["epochs"], r["lead_mediancut"], r["lead_kmeans"]) for r in check["rows"]] == [
        (1, pytest.approx(20.0), pytest.approx(10.0)), (3, pytest.approx(20.0), pytest.approx(10.0))]
    assert report.training_split_table(check, curve).split("\n")[-1] == (
        "| ColorCNN C=2 | 3 | 1 | 60.0 | +20.0 (p=0.01) | 50.0 | +5.0 (p=0.3) | +15.0 |")


CURVE_RESULT = {"profile": "smoke", "config": {"classifier": {"data": {"dataset": "cifar10"}, "classifier": "alexnet"}}}


def test_loss_table_and_figure_by_hand() -> None:
    """A: task 2.0 → 1.5 after 2 epochs, −25 %; B: task flat at 1.6, L_RP 0.8 → 0.6, −25 %; C: L_RP off (λ = 0,
    0 throughout), no change to state."""
    from colorcnn_repro.report import curve

    histories = {"A": [{"epoch": 1, "task": 2.0}, {"epoch": 2, "task": 1.5}],
                 "B": [{"epoch": 1, "task": 1.6, "rp": 0.8}, {"epoch": 3, "task": 1.6, "rp": 0.6}],
                 "C": [{"epoch": 1, "rp": 0.0}, {"epoch": 2, "rp": 0.0}]}
    assert curve.loss_table(histories).split("\n")[-4:] == ["| A | task | 2.000 | 1.500 (2) | -25 % |",
                                                           "| B | task | 1.600 | 1.600 (3) | +0 % |",
                                                           "| B | rp | 0.800 | 0.600 (3) | -25 % |",
                                                           "| C | rp | 0.000 | 0.000 (2) | — |"]
    assert [ax.get_title() for ax in curve.loss_figure(histories, CURVE_RESULT).axes] == list(curve.LOSS_TERMS.values())


def row(model: str, images: float, lead: float, bits: int = 1, p: float = 1.0) -> dict:
    return {"model": model, "bits": bits, "images": images, "lead_mediancut": lead, "p_mediancut": p}


def test_paired_se_from_mcnemar_p() -> None:
    """A lead of 1.96 points at p = 0.05 is 1.96 / z(0.975) = 1.96 / 1.959964 points of standard error."""
    assert paired_se(1.96, 0.05) == pytest.approx(1.96 / 1.959964, rel=1e-6)
    assert paired_se(-1.96, 0.05) == pytest.approx(1.0000184, rel=1e-6)
    assert paired_se(2.0, 0.7) is None and paired_se(0.0, 0.01) is None


def test_a_perfect_line_of_noisy_points_keeps_their_noise() -> None:
    """Leads 1, 3, 5 on a perfect line, each with a standard error of 1 point (p = 2·Φ(−lead)): the scatter is 0,
    the sampling noise 1, so the slope's standard error is 1/√Sxx = 1/√2 (x = 4, 5, 6) and the interval at the
    paper's budget is ± t(0.975, 1) · √(1/3 + (log10(3·10^6) − 5)²/2) = ± 12.7062 · 1.19345."""
    rows = [row("m", 10.0**x, lead, p=float(2 * stats.norm.sf(lead))) for x, lead in ((4, 1.0), (5, 3.0), (6, 5.0))]
    t = cc.fit_trend(rows, "m", "colorcnn", 1, "mediancut")
    assert t["residual_sd"] == pytest.approx(0.0, abs=1e-9) and t["point_se"] == pytest.approx(1.0)
    assert t["slope_se"] == pytest.approx(2**-0.5) and t["slope_se_fit"] == pytest.approx(0.0, abs=1e-9)
    lo, hi = t["at_paper_ci"]
    assert (hi - lo) / 2 == pytest.approx(12.7062 * 1.19345, rel=1e-4)


def test_fit_trend_by_hand() -> None:
    """Leads 1, 3, 5 points at 10^4, 10^5, 10^6 images: 2 points per tenfold, intercept −7; at the paper's
    ColorCNN budget (3·10^6 images) 2·log10(3·10^6) − 7; 10 points at 10^8.5 images; a perfect line has a
    zero-width interval."""
    rows = [row("m", 1e4, 1.0), row("m", 1e5, 3.0), row("m", 1e6, 5.0), row("other", 1e4, 50.0),
            row("m", 1e6, 99.0, bits=2)]
    t = cc.fit_trend(rows, "m", "colorcnn", 1, "mediancut")
    assert t["points"] == 3 and t["last_gain"] == pytest.approx(2.0) and t["last_gain_predicted"] == pytest.approx(2.0)
    assert t["slope"] == pytest.approx(2.0) and t["intercept"] == pytest.approx(-7.0)
    assert t["paper_images"] == 3_000_000
    assert t["at_paper"] == pytest.approx(2 * math.log10(3e6) - 7)
    assert t["at_paper_ci"] == pytest.approx([t["at_paper"]] * 2, abs=1e-9)
    assert t["images_for"]["10.0"] == pytest.approx(10**8.5, rel=1e-9)
    assert t["images_for"]["5.0"] == pytest.approx(1e6, rel=1e-9)


def test_fit_trend_flat_or_short() -> None:
    flat = cc.fit_trend([row("m", 1e4, 2.0), row("m", 1e5, 1.0), row("m", 1e6, 0.0)], "m", "colorcnn+", 1,
                        "mediancut")
    assert flat["slope"] == pytest.approx(-1.0) and flat["images_for"] == {"5.0": None, "10.0": None}
    assert cc.fit_trend([row("m", 1e4, 1.0), row("m", 1e5, 4.0)], "m", "colorcnn", 1, "mediancut") == {
        "model": "m", "bits": 1, "reference": "mediancut", "points": 2, "last_gain": 3.0}


def test_curve_rows_from_an_evaluation() -> None:
    evaluation = {
        "config_key": "k", "data": {"count": 4},
        "methods": {"colorcnn": {"1": {"accuracy": 0.5, "colors_used": 2.0, "bpp": 1.5}},
                    "mediancut": {"1": {"accuracy": 0.25, "colors_used": 2.0}},
                    "kmeans": {"1": {"accuracy": 0.75, "colors_used": 2.0}}},
        "significance": {"1": {"colorcnn vs mediancut": {"p": 0.01}, "colorcnn vs kmeans": {"p": 0.5}}},
        "training": {"colorcnn": {"2": {"epochs": 3, "images": 300.0, "seconds": 6.0}}},
    }
    (r,) = cc.curve_rows("ColorCNN C=2", cc.CurveModel("colorcnn", (1,), 7), 3, evaluation)
    assert r == {"model": "ColorCNN C=2", "method": "colorcnn", "epochs": 3, "bits": 1, "images": 300.0,
                 "train_seconds": 6.0, "accuracy": 0.5, "colors_used": 2.0, "bpp": 1.5, "evaluation_key": "k",
                 "n_images": 4,
                 "mediancut": 0.25, "lead_mediancut": 25.0, "p_mediancut": 0.01,
                 "kmeans": 0.75, "lead_kmeans": -25.0, "p_kmeans": 0.5}


def test_curve_runs_use_doubling_restarts_and_their_own_widths() -> None:
    models = cc.curve_models("cpu")
    assert cc.curve_ends("cpu", models["ColorCNN C=2"]) == [1, 3, 7, 15, 31]
    wide = cc.run_config("cpu", models["ColorCNN C=2, width 64"])
    assert (wide.width, wide.colors, wide.epochs, wide.optim.schedule) == (64, 2, 3, "warm_restarts_doubling")
    assert cc.run_config("cpu", models["ColorCNN C=4"], 7).colors == 4
    with pytest.raises(ValueError, match="'nope'.*smoke, cpu, paper"):
        cc.curve_models("nope")


def test_curve_and_trend_tables_by_hand() -> None:
    from colorcnn_repro.report import curve

    rows = [{**row("ColorCNN C=2", images, lead), "epochs": e, "method": "colorcnn", "train_seconds": 3600.0 * e,
             "accuracy": 0.5, "lead_kmeans": lead - 1, "p_mediancut": 0.001, "p_kmeans": 0.5, "n_images": 10}
            for e, images, lead in ((1, 1e4, 1.0), (3, 1e5, 3.0), (7, 1e6, 5.0))]
    result = {"profile": "cpu", "references": ["mediancut", "kmeans"], "rows": rows,
              "pending": [{"model": "ColorCNN C=2, width 64", "epochs": 1}],
              "trends": [cc.fit_trend(rows, "ColorCNN C=2", "colorcnn", 1, ref) for ref in ("mediancut", "kmeans")]}
    table = curve.curve_table(result).split("\n")
    assert "| ColorCNN C=2 | 3 | 1 | 100,000 | 3.00 | 50.0 | +3.0 (p=0.001) | +2.0 (p=0.5) |" in table
    assert table[-1] == "- not trained yet: ColorCNN C=2, width 64, 1 epochs"
    trends = curve.trend_table(result).split("\n")
    # every point at p = 0.001: a standard error of |lead| / 3.2905, median 3 / 3.2905 = 0.912 points, so the
    # slope's is 0.912 / √2 = 0.64 and the interval at 3e6 images 5.95 ± 12.706 · 0.912 · 1.1935 = [−7.9, +19.8]
    assert trends[-2] == ("| ColorCNN C=2 | 1 | MedianCut | 3 | +2.00 ± 0.64 | +6.0 [-7.9, +19.8] at 3e+06 | "
                          "1e+06 | 3.2e+08 | +2.0 (+2.0) |")


def test_a_cycle_end_whose_model_is_gone_keeps_its_earlier_evaluation(monkeypatch, tmp_path) -> None:
    """A run now evaluated at 1–2 bits, whose 1-epoch model is gone but was evaluated at 1 bit before, keeps that
    row (+20 over MedianCut); its 3-epoch cycle end, neither evaluated nor trained, is pending."""
    from colorcnn_repro.results import write_result

    for env, folder in (("COLORCNN_RESULTS", "results"), ("COLORCNN_RUNS", "runs"), ("COLORCNN_ZOO", "zoo")):
        monkeypatch.setenv(env, str(tmp_path / folder))
    model = cc.CurveModel("colorcnn+", (1, 2), 3, earlier_bits=(1,))
    monkeypatch.setitem(cc.CURVE_MODELS, "smoke", {"P": model})
    monkeypatch.setattr(cc, "main_results", lambda *a, **k: pytest.fail("nothing is evaluated"))
    earlier = cc.resolve("smoke", cc.row_overrides(model, 1, (1,)))
    scores = {"accuracy": 0.6, "colors_used": 2.0, "bpp": 1.0}
    write_result(cc.result_path(earlier.results, "evaluation", earlier.config), {
        "config_key": "k", "data": {"count": 5},
        "methods": {"colorcnn+": {"1": scores}, "mediancut": {"1": {**scores, "accuracy": 0.4}},
                    "kmeans": {"1": {**scores, "accuracy": 0.6}}},
        "significance": {"1": {"colorcnn+ vs mediancut": {"p": 0.01}, "colorcnn+ vs kmeans": {"p": 1.0}}}})
    curve = cc.compute_curve("smoke")
    assert [(r["epochs"], r["bits"], round(r["lead_mediancut"], 6)) for r in curve["rows"]] == [(1, 1, 20.0)]
    assert curve["pending"] == [{"model": "P", "epochs": 3}]


def test_schedule_table_and_winner_by_hand() -> None:
    from colorcnn_repro.report import curve

    def rows(leads: dict[int, float], epochs: int) -> list[dict]:
        return [{"model": "ColorCNN+", "epochs": epochs, "bits": b, "lead_mediancut": v, "p_mediancut": 0.01,
                 "lead_kmeans": v - 2, "n_images": 5} for b, v in leads.items()]

    curves = {"constant": {"profile": "cpu", "rows": rows({1: 1.0, 2: 1.0, 6: -2.0}, 15)},
              "gate": {"profile": "cpu", "rows": rows({1: 3.0, 2: 2.0, 6: -2.5}, 7) + rows({1: 4.0, 2: 3.0, 6: -2.0},
                                                                                           15)}}
    assert curve.schedule_leads(curves, 7) == {"gate": {1: 3.0, 2: 2.0, 6: -2.5}}
    table = curve.schedule_table(curves)
    assert "Winner by the study's rule at 15 epochs: **gate**" in table
    assert "| gate | 15 | +4.0 (p=0.01) / +2.0 | +3.0 (p=0.01) / +1.0 | -2.0 (p=0.01) / -4.0 |" in table
    assert "not every schedule" in curve.schedule_table({**curves, "sigmoid": {"rows": rows({1: 9.0}, 7)}})


def test_seed_table_judges_recipes_against_the_spread_of_the_baselines_seeds() -> None:
    """constant: +1, +2, +3 at 1 bit (s = 1, n = 3); gate +6, +7, +8: effect +5, band t95(2)·1·√(2/3) = 3.51:
    up. lam0: +2.5 alone: effect +0.5, band 4.3027·√(1 + 1/3) = 4.97: within noise."""
    from colorcnn_repro.report import curve

    def run(lead: float) -> dict:
        return {"rows": [{"model": "ColorCNN+", "epochs": 7, "bits": 1, "lead_mediancut": lead}]}

    curves = {"constant": {0: run(1.0), 1: run(2.0), 2: run(3.0)}, "gate": {0: run(6.0), 1: run(7.0), 2: run(8.0)},
              "λ = 0": {0: run(2.5)}}
    leads = curve.seed_leads(curves, 7)
    assert leads == {"constant": {1: [1.0, 2.0, 3.0]}, "gate": {1: [6.0, 7.0, 8.0]}, "λ = 0": {1: [2.5]}}
    rows = curve.seed_table(leads, "constant").splitlines()[-3:]
    assert rows == ["| constant | 3 | +2.0 ± 1.0 |",
                    "| gate | 3 | +7.0 ± 1.0; +5.0 vs constant (band ±3.5: up) |",
                    "| λ = 0 | 1 | +2.5; +0.5 vs constant (band ±5.0: within noise) |"]
