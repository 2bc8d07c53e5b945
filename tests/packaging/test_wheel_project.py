"""Done-when of issue 16: the framework as a dependency.

Builds the wheel of this checkout, installs it into a fresh venv (no system site-packages;
its declared dependencies from PyPI / the pip cache), runs ``mgr init`` into a temp dir and
runs the generated project's own unit tier with the installed framework: its example route
and the built-in ``GET test/health`` (served from the wheel's built-in layer) pass.
Takes ~1.5-2 minutes, mostly the dependency install; the phase times are printed (``-s``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTEST_PIN = "pytest==9.2.0"  # as in pyproject.toml [dev]


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> str:
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, f"{' '.join(map(str, command))} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def _clean_env() -> dict[str, str]:
    """The caller's environment without this checkout on the path or its venv active."""
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    return {k: v for k, v in os.environ.items() if k not in drop and not k.startswith(("PYTEST_", "BEM_", "FIRESTORE_EMULATOR", "FIREBASE_"))}


def test_installed_wheel_serves_a_new_project_and_the_builtins(tmp_path):
    env, times = _clean_env(), {}
    started = time.monotonic()
    _run([sys.executable, "-m", "pip", "wheel", str(REPO), "-w", str(tmp_path / "dist"), "--no-deps", "-q"], REPO, env)
    wheel = next((tmp_path / "dist").glob("backend_manager_py-*.whl"))
    times["build wheel"] = time.monotonic() - started

    started = time.monotonic()
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path, env)
    python, mgr = venv / "bin" / "python", venv / "bin" / "mgr"
    pip = [str(python), "-m", "pip", "install", "-q", "--no-compile", "--disable-pip-version-check"]
    # as a user does: the wheel with the dependencies its metadata declares (pyproject.toml)
    _run([*pip, str(wheel), PYTEST_PIN], tmp_path, env, timeout=600)
    times["fresh venv + install"] = time.monotonic() - started

    started = time.monotonic()
    project = tmp_path / "acme"
    _run([str(mgr), "init", str(project), "--framework", str(wheel)], tmp_path, env)
    assert str(wheel) in (project / "requirements.txt").read_text()

    located = _run([str(python), "-c", (
        "import functions; from functions.manager import Manager; m = Manager.create(__import__('pathlib').Path.cwd()); "
        "print(functions.__file__); print(m.find_file('routes', 'test/health/get.py')); print(m.find_file('routes', 'hello/get.py'))"
    )], project, env).split()
    site_packages = next((venv / "lib").glob("python3*/site-packages")).resolve()
    framework_file, builtin_health, project_hello = map(Path, located)
    assert framework_file.resolve().is_relative_to(site_packages), "the project must run the installed framework, not this checkout"
    assert builtin_health.resolve().is_relative_to(site_packages / "functions" / "_builtins" / "routes")
    assert project_hello.resolve() == (project / "routes/hello/get.py").resolve()

    output = _run([str(mgr), "test", "--tier", "unit"], project, env)
    times["mgr init + project unit tier"] = time.monotonic() - started
    print("\n" + "\n".join(f"{name}: {seconds:.1f}s" for name, seconds in times.items()))
    assert "unit: 4 passed, 0 failed" in output, output
