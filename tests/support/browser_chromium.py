"""Chromium and a Streamlit server for the explorer in a real browser: written once, used by
the browser tests (tests/browser/conftest.py) and the browser benchmark (bench/browser.py).

Chromium comes from Debian (``/usr/bin/chromium``, or ``COLLABKG_CHROMIUM``); Playwright
drives it (never ``playwright install``: it cannot download here). The server listens on a
free loopback port and is stopped when the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from collabkg.cli import EXPLORER_SERVER, EXPLORER_STREAMLIT_FLAGS

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app" / EXPLORER_SERVER
"""The explorer as ``collabkg explore`` serves it: the pages and the download route."""
CHROMIUM = Path(os.environ.get("COLLABKG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_options() -> dict[str, object]:
    """Keyword arguments for ``playwright.chromium.launch``."""
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not become healthy in time; see {log}") from None
            time.sleep(0.3)


@contextlib.contextmanager
def streamlit_server(
    script: Path,
    home: Path,
    log: Path,
    *,
    env: dict[str, str] | None = None,
    src: Path = REPO / "src",
    flags: tuple[str, ...] = EXPLORER_STREAMLIT_FLAGS,
) -> Iterator[str]:
    """``streamlit run script`` serving the project at ``home``; yields the base URL.

    ``src`` is the collabkg package the app imports (another checkout's, to compare with
    it) and ``flags`` the Streamlit options the explorer runs with."""
    port = free_port()
    environment = {**os.environ, **(env or {}), "COLLABKG_HOME": str(home)}
    environment["PYTHONUNBUFFERED"] = "1"
    environment["PYTHONPATH"] = os.pathsep.join([str(src), environment.get("PYTHONPATH", "")])
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        *flags,
    ]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process, log, timeout=60)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
