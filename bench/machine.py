"""What machine a benchmark ran on: CPU, cores, memory, system, Python, package versions."""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGES = ("collabkg", "pyoxigraph", "oxigraph", "rdflib", "pyshacl", "streamlit")


def _cpu() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return cpu


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def describe() -> dict[str, object]:
    """The machine and the versions of the packages that matter to the figures."""
    packages: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return {
        "cpu": _cpu(),
        "nproc": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": packages,
    }


def one_line(info: dict[str, object]) -> str:
    """``Intel Xeon, 2 cores, 23.5 GB RAM, Linux 6.1, Python 3.11.7``."""
    return (
        f"{info['cpu']}, {info['nproc']} cores, {info['memory_gb']} GB RAM, {info['system']}, "
        f"Python {info['python']}"
    )
