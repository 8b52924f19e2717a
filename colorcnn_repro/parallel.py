"""Devices and several processes: torchrun / DistributedDataParallel (DDP), per-image random draws that
keep a sharded global batch equal to the single-process one, and the device helpers of the training loops.

How a run over ``W`` processes equals a single-process run of the same global batch ``B``:

* every rank draws the same seeded permutation and the same per-epoch generators (nothing here changes
  the seeding), and takes its slice ``[lo, hi)`` of each global batch (:func:`batch_shard`);
* every per-image random draw (flips, crops, jitter, post-quantization augmentation, L_RP's pixel samples,
  dropout masks) is made for the whole global batch on every rank, so generators stay in step, and each rank
  keeps its rows (:func:`per_image`, :class:`ShardedDropout`);
* BatchNorm statistics cover the global batch: :class:`torch.nn.SyncBatchNorm` on CUDA, :class:`GlobalBatchNorm2d`
  (two differentiable all-reduces) on devices it does not serve, such as a CPU with gloo;
* each rank's loss is scaled by ``W · (hi − lo) / B`` before DDP averages the gradients (1 when the batch
  splits evenly), so the averaged gradient is that of the global batch mean.

Outside a torchrun job (``WORLD_SIZE`` unset or 1) none of this is active and the single-process path is
exactly the one it always was. Ground floor: imports only torch.
"""
from __future__ import annotations

import atexit
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

# ---------------------------------------------------------------------------------------------- the world


def env_world_size() -> int:
    """Processes in this job as torchrun declares them (``WORLD_SIZE``; 1 without torchrun)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def distributed() -> bool:
    """Whether a process group of more than one process is active."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def world_size() -> int:
    return dist.get_world_size() if distributed() else 1


def rank() -> int:
    return dist.get_rank() if distributed() else 0


def is_main() -> bool:
    """Rank 0 (or the only process): the one that writes checkpoints, histories, results and locks."""
    return rank() == 0


def process_device(name: str | None) -> torch.device:
    """The device of this torchrun process: ``cuda:LOCAL_RANK`` for ``cuda`` (or no name, CUDA present),
    else the device named (``cpu`` runs the job with gloo)."""
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if name is None:
        name = "cuda" if torch.cuda.is_available() else "cpu"
    dev = torch.device(name)
    if dev.type == "cuda":
        if dev.index is not None:
            raise ValueError(f"under torchrun every process uses cuda:LOCAL_RANK (here cuda:{local}); got device "
                             f"{name!r}: pass --device cuda or leave --device out, and choose GPUs with "
                             "CUDA_VISIBLE_DEVICES")
        if local >= torch.cuda.device_count():
            raise ValueError(f"LOCAL_RANK={local} but only {torch.cuda.device_count()} CUDA devices are visible; "
                             "set --nproc_per_node to at most the number of GPUs")
        return torch.device("cuda", local)
    return dev


def setup(device: torch.device) -> None:
    """Join the process group torchrun describes (``WORLD_SIZE`` > 1): NCCL on CUDA, gloo otherwise. No-op
    without torchrun or when already joined."""
    if env_world_size() <= 1 or (dist.is_available() and dist.is_initialized()):
        return
    if not dist.is_available():
        raise RuntimeError("WORLD_SIZE > 1 but this torch build has no torch.distributed")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    atexit.register(teardown)


def teardown() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def _collective_device() -> torch.device:
    return torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else torch.device("cpu")


def barrier() -> None:
    if distributed():
        if dist.get_backend() == "nccl":
            dist.barrier(device_ids=[torch.cuda.current_device()])
        else:
            dist.barrier()


def agree(flag: bool) -> bool:
    """Rank 0's ``flag`` on every rank (a decision all ranks must take alike, e.g. "is this run done?")."""
    if not distributed():
        return flag
    box = [bool(flag)]
    dist.broadcast_object_list(box, src=0)
    return bool(box[0])


def all_reduce_sum(values: list[float]) -> list[float]:
    """Element-wise sums over ranks (float64); ``values`` unchanged in a single process."""
    if not distributed():
        return values
    t = torch.tensor(values, dtype=torch.float64, device=_collective_device())
    dist.all_reduce(t)
    return t.cpu().tolist()


# ------------------------------------------------------------------------------------- sharded global batch


@dataclass(frozen=True)
class Shard:
    """This rank's rows ``[lo, hi)`` of a global batch of ``total`` images split over ``world`` ranks."""

    lo: int
    hi: int
    total: int
    world: int

    @property
    def size(self) -> int:
        return self.hi - self.lo

    @property
    def loss_scale(self) -> float:
        """``world · size / total``: makes DDP's average of per-rank mean gradients the global batch mean's."""
        return self.world * self.size / self.total


_SHARD: Shard | None = None


def shard_bounds(total: int, rank_: int, world: int) -> tuple[int, int]:
    """Rows of ``rank_`` in a global batch of ``total``: contiguous, sizes differing by at most one."""
    if total < world:
        raise ValueError(f"a global batch of {total} images cannot be split over {world} processes; use a batch "
                         f"size (and a training-set size modulo the batch size) of at least {world}")
    return total * rank_ // world, total * (rank_ + 1) // world


def current_shard() -> Shard | None:
    return _SHARD


@contextmanager
def batch_shard(total: int) -> Iterator[Shard]:
    """Within this block, per-image draws (:func:`per_image`, :class:`ShardedDropout`) are made for a global
    batch of ``total`` images and this rank keeps its rows; yields this rank's :class:`Shard`."""
    global _SHARD
    lo, hi = shard_bounds(total, rank(), world_size())
    before, _SHARD = _SHARD, Shard(lo, hi, total, world_size())
    try:
        yield _SHARD
    finally:
        _SHARD = before


def per_image(draw: Callable[..., torch.Tensor], b: int, *shape: int, **kwargs) -> torch.Tensor:
    """``draw((b, *shape), **kwargs)``: a random tensor with one row per image of this process's ``b``
    images. Inside :func:`batch_shard` the rows of the whole global batch are drawn (the same on every rank)
    and this rank's rows returned, so a sharded batch sees exactly the draws of the single-process one."""
    s = _SHARD
    if s is None:
        return draw((b, *shape), **kwargs)
    if b != s.size:
        raise ValueError(f"per-image draw for {b} images inside a shard of {s.size} images (rows {s.lo}:{s.hi} "
                         f"of {s.total})")
    return draw((s.total, *shape), **kwargs)[s.lo:s.hi]


class ShardedDropout(nn.Dropout):
    """Dropout whose mask, inside :func:`batch_shard`, is this rank's rows of the mask of the whole global
    batch (drawn as ``torch.dropout`` draws it on a CPU: Bernoulli(1 − p) noise, divided by 1 − p)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = _SHARD
        if s is None or not self.training or self.p == 0:
            return super().forward(x)
        noise = torch.empty((s.total, *x.shape[1:]), dtype=x.dtype, device=x.device).bernoulli_(1 - self.p)
        return x * noise[s.lo:s.hi].div_(1 - self.p)


class GlobalBatchNorm2d(nn.BatchNorm2d):
    """BatchNorm2d whose training statistics are those of the global batch of every rank: the sum, then the
    squared deviations from the global mean, all-reduced with :mod:`torch.distributed.nn` (so gradients flow
    through the statistics as in :class:`torch.nn.SyncBatchNorm`). For the devices SyncBatchNorm refuses
    (a CPU with gloo); a plain BatchNorm2d outside a process group and in eval mode. Same state dict keys."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not (self.training and distributed()):
            return super().forward(x)
        with warnings.catch_warnings():  # deprecated in favour of functional collectives, which lack autograd
            warnings.simplefilter("ignore", FutureWarning)
            from torch.distributed.nn.functional import all_reduce

            dims = (0, 2, 3)
            stats = all_reduce(torch.cat([x.sum(dims), x.new_full((1,), x.numel() // x.shape[1])]))
            count = stats[-1]
            mean = stats[:-1] / count
            centred = x - mean.view(1, -1, 1, 1)
            var = all_reduce(centred.pow(2).sum(dims)) / count
        y = centred * torch.rsqrt(var + self.eps).view(1, -1, 1, 1)
        if self.affine:
            y = y * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)
        if self.track_running_stats:
            assert self.num_batches_tracked is not None and self.running_mean is not None
            assert self.running_var is not None
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                m = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
                n = float(count)
                self.running_mean.mul_(1 - m).add_(mean.detach(), alpha=m)
                self.running_var.mul_(1 - m).add_(var.detach() * (n / max(n - 1, 1)), alpha=m)
        return y


def _replace_modules(module: nn.Module, convert: Callable[[nn.Module], nn.Module]) -> nn.Module:
    new = convert(module)
    if new is not module:
        return new
    for name, child in module.named_children():
        setattr(module, name, _replace_modules(child, convert))
    return module


def _sharded_layer(device: torch.device) -> Callable[[nn.Module], nn.Module]:
    def convert(m: nn.Module) -> nn.Module:
        if type(m) is nn.Dropout:
            return ShardedDropout(m.p, m.inplace)
        if type(m) is nn.BatchNorm2d and device.type != "cuda":
            new = GlobalBatchNorm2d(m.num_features, m.eps, m.momentum, m.affine, m.track_running_stats,
                                    device=device)
            if m.affine:
                new.weight, new.bias = m.weight, m.bias
            if m.track_running_stats:
                new.running_mean, new.running_var = m.running_mean, m.running_var
                new.num_batches_tracked = m.num_batches_tracked
            new.train(m.training)
            return new
        return m

    return convert


def distribute(model: nn.Module, device: torch.device) -> nn.Module:
    """``model`` itself in a single process. In a process group: its BatchNorm layers made global
    (SyncBatchNorm on CUDA, :class:`GlobalBatchNorm2d` elsewhere) and its dropout sharded, converted in place
    (parameters and buffers are kept, so optimizers and checkpoints of ``model`` still apply), wrapped in
    DistributedDataParallel. Call the returned module for forward passes that train."""
    if not distributed():
        return model
    model = _replace_modules(model, _sharded_layer(device))
    if device.type == "cuda":
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    return nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)


# ------------------------------------------------------------------------------------------ device helpers


def prepare_device(device: torch.device) -> torch.device:
    """Per-device settings before work starts: ``cudnn.benchmark`` on CUDA (input shapes repeat)."""
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    return device


def to_device(t: torch.Tensor, device: torch.device) -> torch.Tensor:
    """``t`` on ``device``; a CPU tensor bound for CUDA goes through pinned memory, asynchronously."""
    if device.type == "cuda" and t.device.type == "cpu":
        return t.pin_memory().to(device, non_blocking=True)
    return t.to(device)


_WARNED_AUTOCAST: set[str] = set()


def autocast(device: torch.device, bf16: bool) -> AbstractContextManager:
    """bf16 autocast for forward passes and losses when ``bf16`` and ``device`` is CUDA; otherwise nothing
    (on a CPU it is off: not measured to help there, and the CPU results stay fp32; warned once)."""
    if not bf16:
        return nullcontext()
    if device.type != "cuda":
        if device.type not in _WARNED_AUTOCAST:
            _WARNED_AUTOCAST.add(device.type)
            warnings.warn(f"bf16_autocast applies on CUDA only; ignored on {device.type}", stacklevel=2)
        return nullcontext()
    return torch.autocast("cuda", dtype=torch.bfloat16)


def pick_device(name: str | None = None) -> torch.device:
    """``name`` if given, else CUDA when present, else CPU; under torchrun ``cuda`` means
    ``cuda:LOCAL_RANK``. CUDA devices get ``cudnn.benchmark``."""
    if env_world_size() > 1:
        return prepare_device(process_device(name))
    if name:
        return prepare_device(torch.device(name))
    return prepare_device(torch.device("cuda" if torch.cuda.is_available() else "cpu"))
