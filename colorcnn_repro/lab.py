"""``colorcnn lab`` (``make lab``): JupyterLab on ``notebooks/``, listening on 127.0.0.1 only,
with this interpreter's kernel (``python3``: the one ``make setup`` registers inside ``.venv``) as default.
Extra arguments go to JupyterLab, e.g. ``--port 8899`` or ``--no-browser``."""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .paths import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"
KERNEL = "python3"


def lab_argv(root: Path = NOTEBOOKS, port: int | None = None, token: str | None = None,
             browser: bool = True, extra: Sequence[str] = ()) -> list[str]:
    """The command that starts JupyterLab on ``root``, bound to the loopback interface."""
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={Path(root).resolve()}",
            "--ServerApp.ip=127.0.0.1", f"--MappingKernelManager.default_kernel_name={KERNEL}"]
    if port is not None:
        argv += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if token is not None:
        argv.append(f"--IdentityProvider.token={token}")
    if not browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--ServerApp.allow_root=True")  # containers often run as root; the server stays on loopback
    return argv + list(extra)


def main(argv: Sequence[str] | None = None) -> None:
    """Replace this process by JupyterLab (arguments are passed on)."""
    args = lab_argv(extra=sys.argv[1:] if argv is None else argv)
    if not NOTEBOOKS.is_dir():
        sys.exit(f"lab: error: no notebook folder at {NOTEBOOKS}")
    os.execv(args[0], args)
