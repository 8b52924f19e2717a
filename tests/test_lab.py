"""`make lab`: JupyterLab starts on notebooks/ (loopback only, a free port), lists the notebooks through its
contents API, offers the python3 kernel, and stops, all within a bounded time."""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from colorcnn_repro.lab import KERNEL, NOTEBOOKS, lab_argv

pytest.importorskip("jupyterlab")
START_TIMEOUT_S = 300  # it answers in about 5 s on an idle machine, minutes on a loaded 2-core one
STOP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, token: str) -> dict | list:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_lab_argv_binds_loopback_and_default_kernel() -> None:
    argv = lab_argv(port=9999, token="t", browser=False)
    assert "--ServerApp.ip=127.0.0.1" in argv and "--no-browser" in argv
    assert f"--MappingKernelManager.default_kernel_name={KERNEL}" in argv
    assert f"--ServerApp.root_dir={NOTEBOOKS.resolve()}" in argv


@pytest.mark.slow
def test_lab_lists_the_notebooks(tmp_path) -> None:
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(lab_argv(port=port, token=token, browser=False), stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")})
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert proc.poll() is None, (f"JupyterLab exited with {proc.returncode}:\n"
                                         f"{(tmp_path / 'lab.log').read_text()}")
            try:
                listing = get(f"{base}/api/contents?content=1", token)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, f"no answer on {base} within {START_TIMEOUT_S} s"
                time.sleep(0.5)
        names = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
        assert names == {p.name for p in NOTEBOOKS.glob("*.ipynb")}
        assert get(f"{base}/api/kernelspecs", token)["default"] == KERNEL
        with pytest.raises(urllib.error.HTTPError):  # the token is required
            urllib.request.urlopen(f"{base}/api/contents", timeout=10)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
