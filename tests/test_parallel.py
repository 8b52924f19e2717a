"""Devices and several processes: per-image draws of a sharded batch, DDP over two CPU processes (gloo) against
one process, resume of a killed two-process run, file locks, the evaluation overlap, the device check's CPU
fallback, and (with CUDA only, marked ``gpu``) training and evaluation on a GPU."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp
from killing import DiesAtEpoch, Killed
from torch import nn

from colorcnn_repro import parallel
from colorcnn_repro.config import config_key
from colorcnn_repro.data import ImageArrays
from colorcnn_repro.evaluation.grid import evaluate_grid
from colorcnn_repro.losses import sample_pixels
from colorcnn_repro.methods import slug
from colorcnn_repro.models import ColorCNNPlus, build_normalized_classifier
from colorcnn_repro.models.checkpoint import load_checkpoint, load_quantizer_net, save_checkpoint
from colorcnn_repro.profiles import get_config
from colorcnn_repro.quantizers.interface import ClassicalQuantizer
from colorcnn_repro.quantizers.learned import LearnedQuantizer
from colorcnn_repro.training import augment, loops, runs, targets

REPO = Path(__file__).resolve().parents[1]
#: DDP against one process: float32 sums in another order (per-rank partial sums, then the all-reduce; the
#: global BatchNorm statistics likewise) differ by about 1e-7 relative per operation; after 6 SGD steps the
#: weights agree to ~3e-6, as closely as one process agrees with itself run on 1 vs 2 threads. 1e-4 relative
#: / 1e-5 absolute leaves a margin while a real mismatch (a wrong shard, draw or loss scale) moves weights by
#: 1e-3 or more. That needs a smooth loss: with R_color (a max over pixels) and the smoke profile's T = 0.1
#: (saturated probabilities, so near-equal maxima), rounding differences move the max to another pixel and
#: grow about tenfold per step; there one process on 1 vs 2 threads drifts as far apart (3e-3 after 6 steps)
#: as one process vs two. The ColorCNN+ comparison therefore runs with γ = 0 and T = 1; every other part of
#: the step (augmentation, jitter, L_RP, BatchNorm, uneven shards) is on.
DDP_RTOL, DDP_ATOL = 1e-4, 1e-5


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Runs, caches and results under tmp_path, never in the repository."""
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("COLORCNN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("COLORCNN_RESULTS", str(tmp_path / "results"))


def synthetic_train(n: int = 45, seed: int = 0) -> ImageArrays:
    """``n`` 32×32 images with a few flat blocks (MedianCut has structure to find) and random labels."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    images[:, 4:20, 4:20] = rng.integers(0, 256, (n, 1, 1, 3), dtype=np.uint8)
    images[:, 18:30, 12:28] = rng.integers(0, 256, (n, 1, 1, 3), dtype=np.uint8)
    return ImageArrays(images, rng.integers(0, 10, n), [str(i) for i in range(10)], "cifar10", "train")


@pytest.fixture
def two_ranks(monkeypatch):
    """Pretend to be rank ``r`` of 2 (no process group): sets the rank the shard helpers see."""
    def as_rank(r: int) -> None:
        monkeypatch.setattr(parallel, "rank", lambda: r)
        monkeypatch.setattr(parallel, "world_size", lambda: 2)

    return as_rank


# ---------------------------------------------------------------- per-image draws of a sharded batch

def test_shard_bounds_and_loss_scale() -> None:
    assert [parallel.shard_bounds(13, r, 2) for r in range(2)] == [(0, 6), (6, 13)]
    assert [parallel.shard_bounds(12, r, 3) for r in range(3)] == [(0, 4), (4, 8), (8, 12)]
    assert parallel.Shard(0, 6, 13, 2).loss_scale == pytest.approx(12 / 13)
    assert parallel.Shard(4, 8, 12, 3).loss_scale == 1
    with pytest.raises(ValueError, match="3 images cannot be split over 4 processes"):
        parallel.shard_bounds(3, 0, 4)


def test_outside_a_shard_draws_are_the_plain_draws() -> None:
    a = parallel.per_image(torch.rand, 5, 2, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, torch.rand(5, 2, generator=torch.Generator().manual_seed(3)))
    assert parallel.current_shard() is None and parallel.world_size() == 1 and parallel.is_main()


@pytest.mark.parametrize("name", ["classifier_augment", "post_quantization_augment", "flip_with_target",
                                  "jitter", "pixels", "dropout"])
def test_a_shard_sees_its_rows_of_the_global_draws(name: str, two_ranks) -> None:
    """Every per-image random draw of a training step, made inside a shard, gives that shard's rows of the
    single-process result, and leaves the generators where the whole batch leaves them."""
    x = torch.rand(13, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    target = torch.randint(0, 4, (13, 32, 32), generator=torch.Generator().manual_seed(1))
    dropout = parallel.ShardedDropout(0.5).train()

    def draw(xs: torch.Tensor, ts: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        if name == "classifier_augment":
            return augment.classifier_augment(xs, g)
        if name == "post_quantization_augment":
            return augment.post_quantization_augment(xs, g)
        if name == "flip_with_target":
            a, t = augment.random_flip(xs, g, ts)
            return torch.cat([a.flatten(1), t.flatten(1).float()], 1)
        if name == "jitter":
            return loops.classify_quantized(_Identity(), xs, 0.5, 1.0, g)
        if name == "pixels":
            return sample_pixels(len(xs), 1024, 0.3, xs.device).float()
        return dropout(xs.flatten(1))

    g_full = torch.Generator().manual_seed(5)
    torch.manual_seed(7)
    full = draw(x, target, g_full)
    after, global_after = torch.rand(3, generator=g_full), torch.rand(3)  # where the whole batch leaves them
    for r in range(2):
        two_ranks(r)
        g = torch.Generator().manual_seed(5)
        torch.manual_seed(7)
        with parallel.batch_shard(13) as shard:
            part = draw(x[shard.lo:shard.hi], target[shard.lo:shard.hi], g)
        assert torch.equal(part, full[shard.lo:shard.hi]), (name, r)
        assert torch.equal(torch.rand(3, generator=g), after) and torch.equal(torch.rand(3), global_after)


class _Identity(nn.Module):
    """A stand-in classifier: ``normalize`` and ``body`` are the identity (for the jitter draw)."""

    def normalize(self, x: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
        return x

    def body(self, x: torch.Tensor) -> torch.Tensor:
        return x


def test_global_batchnorm_is_batchnorm_outside_a_process_group() -> None:
    torch.manual_seed(0)
    bn = nn.BatchNorm2d(4).train()
    glob = parallel.GlobalBatchNorm2d(4).train()
    glob.load_state_dict(bn.state_dict())
    x = torch.randn(6, 4, 5, 5)
    assert torch.equal(bn(x), glob(x))
    assert torch.equal(bn.running_var, glob.running_var)
    assert parallel.distribute(bn, torch.device("cpu")) is bn  # one process: the model itself


def test_autocast_is_off_on_a_cpu() -> None:
    with pytest.warns(UserWarning, match="CUDA only"):
        ctx = parallel.autocast(torch.device("cpu"), True)
    with ctx:
        assert not torch.is_autocast_enabled("cpu")


def test_torchrun_device_is_the_local_rank(monkeypatch) -> None:
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_RANK", "1")
    assert parallel.pick_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="cuda:LOCAL_RANK"):
        parallel.process_device("cuda:3")


# ---------------------------------------------------------------- the evaluation overlap

def grid_case() -> tuple:
    """A small evaluation: 12 synthetic images, an untrained AlexNet, MedianCut, OCTree and a tiny ColorCNN+."""
    data = synthetic_train(12, seed=3)
    torch.manual_seed(0)
    clf = build_normalized_classifier("alexnet", 10, "cifar10").eval()
    net = ColorCNNPlus(width=4).eval()
    learned = {"colorcnn+": LearnedQuantizer.from_nets("colorcnn+", {2: net, 4: net}, batch_size=5)}
    return clf, data, ("mediancut", "octree", "colorcnn+"), learned


def test_evaluation_overlap_gives_the_sequential_results() -> None:
    clf, data, methods, learned = grid_case()
    a = evaluate_grid(clf, data, methods, (1, 2), learned, batch_size=5, overlap=False)
    b = evaluate_grid(clf, data, methods, (1, 2), learned, batch_size=5, overlap=True, workers=0)
    assert a == b


def test_cached_classical_scores_give_the_computed_results(tmp_path, monkeypatch) -> None:
    """The first evaluation keeps MedianCut's and OCTree's scores at each size; the second reads them (it would
    fail if it quantized) and gives the same grid, learned method and McNemar p included."""
    clf, data, methods, learned = grid_case()
    first = evaluate_grid(clf, data, methods, (1, 2), learned, batch_size=5, cache=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mediancut-2-v2.npz", "mediancut-4-v2.npz", "octree-2-v2.npz", "octree-4-v2.npz"]
    monkeypatch.setattr(ClassicalQuantizer, "quantize_set", lambda *a: pytest.fail("quantized again"))
    assert evaluate_grid(clf, data, methods, (1, 2), learned, batch_size=5, cache=tmp_path) == first


# ---------------------------------------------------------------- file locks

def _train_classifier_counting(runs_dir: str, cache: str, train: ImageArrays, log: str) -> None:
    os.environ.update(COLORCNN_RUNS=runs_dir, COLORCNN_CACHE=cache)
    torch.set_num_threads(1)
    loops.load_split = lambda data, split, root=None, limit=None: train
    real = runs.run_epoch

    def counting(*args, **kwargs):
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    loops.run_epoch = counting
    loops.train_classifier(get_config("classifier", "smoke", {"epochs": 2, "batch_size": 16}), device="cpu")


@pytest.mark.slow
def test_two_processes_asking_for_one_classifier_train_it_once(tmp_path) -> None:
    log = tmp_path / "epochs.log"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_train_classifier_counting,
                         args=(str(tmp_path / "runs"), str(tmp_path / "cache"), synthetic_train(32), str(log)))
             for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
        assert p.exitcode == 0
    epochs = log.read_text().split()
    assert len(epochs) == 2 and len(set(epochs)) == 1  # one process trained both epochs, the other waited


def test_atomic_writes_use_a_temporary_file_per_process(tmp_path) -> None:
    runs.atomic_write_json({"a": 1}, tmp_path / "x.json")
    assert json.loads((tmp_path / "x.json").read_text()) == {"a": 1}
    assert not list(tmp_path.glob("*.tmp"))


# ---------------------------------------------------------------- DDP on two CPU processes (gloo)

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ddp_worker(rank: int, world: int, port: int, train: ImageArrays, jobs: list[tuple[str, str, bool]]) -> None:
    """One torchrun-like rank: trains each ``(runs folder, stage, killed)`` job; a killed job dies at the
    start of its second epoch (after the first epoch's checkpoint), as a killed process would."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    loops.load_split = lambda data, split, root=None, limit=None: train
    for folder, stage, killed in jobs:
        os.environ["COLORCNN_RUNS"] = folder
        loops.run_epoch = DiesAtEpoch(2) if killed else runs.run_epoch
        try:
            STAGES[stage][1](STAGES[stage][0](), device="cpu")
        except Killed:
            assert killed
    parallel.teardown()


OVERRIDES = {"epochs": 2, "batch_size": 16, "width": 4, "task_colors": "[2, 4]", "task_every": 1}
SMOOTH = {"colorcnn_plus.gamma": 0.0, "colorcnn_plus.temperature": 1.0}  # see DDP_RTOL
STAGES = {"classifier": (lambda: get_config("classifier", "smoke", OVERRIDES), loops.train_classifier),
          "colorcnn+": (lambda: get_config("colorcnn+", "smoke", {**OVERRIDES, **SMOOTH}), loops.train_colorcnn_plus)}


def _weights(folder: Path, stage: str) -> dict[str, torch.Tensor]:
    run = folder / f"{slug(stage)}-{config_key(STAGES[stage][0]())}"
    return load_checkpoint(run / "model.pt")["state_dict"]


def _seed_classifier(folder: Path, state_dict: dict) -> None:
    """Put a trained classifier where the ColorCNN+ runs of ``folder`` look for it."""
    cfg = STAGES["classifier"][0]()
    run = folder / f"classifier-{config_key(cfg)}"
    run.mkdir(parents=True)
    save_checkpoint({"kind": "classifier", "name": "alexnet", "num_classes": 10, "dataset": "cifar10",
                      "multilabel": False, "state_dict": state_dict, "history": []}, run / "model.pt")


@pytest.mark.slow
def test_two_processes_equal_one_and_a_killed_run_resumes(tmp_path, monkeypatch) -> None:
    """Global batch 16 over 2 gloo processes (45 images: 3 batches per epoch, the last one 13 = 6 + 7, so the
    loss scaling is exercised) for the classifier (dropout) and ColorCNN+ (BatchNorm, L_RP, augmentation):
    the same weights as one process (DDP_RTOL, DDP_ATOL; ColorCNN+ with a smooth loss, see there); a
    two-process ColorCNN+ run killed after its first epoch resumes to exactly the weights of the uninterrupted
    two-process run."""
    train = synthetic_train(45)
    monkeypatch.setattr(loops, "load_split", lambda data, split, root=None, limit=None: train)
    targets.imitation_targets(train.images, (2, 4), workers=0)  # cached for every process

    one = tmp_path / "one"
    monkeypatch.setenv("COLORCNN_RUNS", str(one))
    loops.train_classifier(STAGES["classifier"][0](), device="cpu")
    clf = _weights(one, "classifier")
    loops.train_colorcnn_plus(STAGES["colorcnn+"][0](), device="cpu")

    ddp_clf, ddp, killed = tmp_path / "ddp_clf", tmp_path / "ddp", tmp_path / "killed"
    for folder in (ddp, killed):
        _seed_classifier(folder, clf)
    jobs = [(str(ddp_clf), "classifier", False), (str(ddp), "colorcnn+", False), (str(killed), "colorcnn+", True)]
    mp.spawn(_ddp_worker, args=(2, _free_port(), train, jobs), nprocs=2, join=True)
    run = killed / f"colorcnn_plus-{config_key(STAGES['colorcnn+'][0]())}"  # not its 1-epoch cycle-end model's
    assert not (run / "model.pt").exists() and load_checkpoint(run / "checkpoint.pt")["epoch"] == 1
    mp.spawn(_ddp_worker, args=(2, _free_port(), train, [(str(killed), "colorcnn+", False)]), nprocs=2, join=True)

    for stage, folder in (("classifier", ddp_clf), ("colorcnn+", ddp)):
        a, b = _weights(one, stage), _weights(folder, stage)
        assert a.keys() == b.keys()
        for name in a:
            torch.testing.assert_close(b[name], a[name], rtol=DDP_RTOL, atol=DDP_ATOL,
                                       msg=lambda m, stage=stage, name=name: f"{stage} {name}: {m}")
    full, resumed = _weights(ddp, "colorcnn+"), _weights(killed, "colorcnn+")
    for name in full:
        assert torch.equal(full[name], resumed[name]), name
    history = json.loads((run / "history.json").read_text())
    one_history = json.loads(next(one.glob("colorcnn_plus-*/history.json")).read_text())
    assert [h["epoch"] for h in history] == [1, 2]
    assert history[-1]["total"] == pytest.approx(one_history[-1]["total"], rel=1e-4)


# ---------------------------------------------------------------- the device check

@pytest.mark.slow
def test_device_check_cpu_fallback(tmp_path) -> None:
    """``benchmarks/device_check.py --device cpu``: every part at a tiny scale, a JSON report."""
    out = tmp_path / "device.json"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "device_check.py"), "--device", "cpu",
                           "--out", str(out)], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["smoke_chain"]["ok"] and report["tiny_cpu_fallback"]
    assert set(report["stages"]) >= {"classifier", "colorcnn", "colorcnn+", "evaluation"}
    est = report["estimate"]
    assert est["paper_profile_gpu_hours"]["total"] > 0 and est["fig12_grid_gpu_hours"] > 0
    assert len(est["fig12_panels_gpu_hours"]) == 12


# ---------------------------------------------------------------- on a GPU

gpu = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.mark.gpu
@gpu
@pytest.mark.parametrize("bf16", [False, True])
def test_colorcnn_plus_trains_on_cuda(bf16: bool, monkeypatch) -> None:
    train = synthetic_train(32)
    monkeypatch.setattr(loops, "load_split", lambda data, split, root=None, limit=None: train)
    ov = {**OVERRIDES, "epochs": 1, "bf16_autocast": bf16}
    run = loops.train_colorcnn_plus(get_config("colorcnn+", "smoke", ov), device="cuda")
    history = json.loads((run / "history.json").read_text())
    assert np.isfinite(history[-1]["total"]) and history[-1]["images_per_s"] > 0
    net = load_quantizer_net(run / "model.pt", "colorcnn+")
    assert net.quantize(torch.rand(2, 3, 32, 32), 4)[0].shape == (2, 32, 32)


@pytest.mark.gpu
@gpu
def test_evaluation_on_cuda_matches_cpu() -> None:
    data = synthetic_train(12, seed=3)
    torch.manual_seed(0)
    clf = build_normalized_classifier("alexnet", 10, "cifar10").eval()
    a = evaluate_grid(clf, data, ("mediancut", "octree"), (1, 2), batch_size=5)
    b = evaluate_grid(clf.cuda(), data, ("mediancut", "octree"), (1, 2), batch_size=5)
    assert a["methods"]["mediancut"]["1"]["bpp"] == b["methods"]["mediancut"]["1"]["bpp"]
    for m in a["methods"]:
        for bit in a["methods"][m]:
            assert a["methods"][m][bit]["accuracy"] == pytest.approx(b["methods"][m][bit]["accuracy"], abs=0.1)


# ---------------------------------------------------------------- Fig. 12 over several GPUs

def test_gpu_grid_assigns_every_panel_once_longest_first(capsys) -> None:
    from colorcnn_repro.experiments import gpu_grid

    queues = gpu_grid.plan(4, gpu_grid.DATASETS, gpu_grid.CLASSIFIERS)
    panels = [p for q in queues for p in q]
    assert sorted(panels) == sorted((d, c) for d in gpu_grid.DATASETS for c in gpu_grid.CLASSIFIERS)
    assert [q[0][0] for q in queues[:3]] == ["tinyimagenet"] * 3  # the longest panels start first
    gpu_grid.main(["--gpus", "2", "--datasets", "cifar10", "stl10", "--classifiers", "alexnet"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[-1] == "wait"
    assert lines[0].startswith("CUDA_VISIBLE_DEVICES=0 ") and lines[1].startswith("CUDA_VISIBLE_DEVICES=1 ")
    assert "dataset=cifar10" in lines[0] + lines[1] and "batch_size=32" in lines[0] + lines[1]
    with pytest.raises(SystemExit):
        gpu_grid.main(["--gpus", "0"])
