"""Start and stop ``firebase emulators:start`` as a managed process tree."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Self

from . import processes
from .provision import Provisioned, emulator_env, provision_all
from .urls import DEFAULT_PROJECT, EmulatorUrls, read_ports

DEFAULT_ONLY = ("auth", "firestore", "functions", "hosting")
# firebase-tools reads the functions' .env files from a functions entry's configDir (default: its
# source). A test-mode suite gets a copy of firebase.json whose configDir holds no .env, so the
# development secrets in .env cannot override the test values passed in the environment.
ISOLATED_CONFIG = ".firebase.test.json"
NO_DOTENV_DIR = "logs/emulator-no-dotenv"
# for http_probe(HEALTH_PATH): ready once the framework answers its health route
HEALTH_PATH = "/bm_api/backend-manager/test/health"
READY_LINE = "All emulators ready!"
FUNCTIONS_LOADED = "Loaded functions definitions from source"
FUNCTIONS_FAILED = "Failed to load function definition from source"
_ERROR_LINE = re.compile(r"^[\w.]*(Error|Exception)\b: ")


class EmulatorError(RuntimeError):
    """The emulator suite failed to start (message includes the log tail)."""


ReadyProbe = Callable[["EmulatorHandle"], bool]


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_probe(url_or_path: str, ok: Callable[[int], bool] = lambda s: 200 <= s < 400) -> ReadyProbe:
    """A readiness probe that GETs a URL (or a path under the functions base URL)."""

    def probe(handle: EmulatorHandle) -> bool:
        url = url_or_path
        if not url.startswith("http"):
            url = (handle.urls.functions or "") + url_or_path
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return ok(resp.status)
        except urllib.error.HTTPError as exc:
            return ok(exc.code)
        except OSError:
            return False

    return probe


def milestones(handle: EmulatorHandle) -> list[tuple[str, bool]]:
    """What start-up waits for, in order, and whether each is reached: every requested port
    answering, firebase-tools' "all emulators ready" line and, with functions, the functions loaded."""
    reached = [(f"{name} :{handle.ports[name][1]}", port_open(*handle.ports[name]))
               for name in [*handle.only, "hub"] if name in handle.ports]
    log = handle.log_text()
    reached.append(("emulators ready", READY_LINE in log))
    if "functions" in handle.only:
        reached.append(("functions loaded", FUNCTIONS_LOADED in log))
    return reached


def default_probe(handle: EmulatorHandle) -> bool:
    """Ready when every milestone is reached."""
    return all(done for _, done in milestones(handle))


class EmulatorHandle:
    """A running emulator suite; ``stop()`` leaves no java/node/python behind."""

    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        urls: EmulatorUrls,
        only: Sequence[str],
        ports: dict[str, tuple[str, int]],
        log_path: Path,
    ) -> None:
        self.proc = proc
        self.urls = urls
        self.only = list(only)
        self.ports = ports
        self.log_path = log_path
        self.started_at = time.monotonic()
        self.ready_seconds: float | None = None
        self._known: set[int] = set()
        self.orphan_pattern: str | None = None
        """Command-line fragment of this project's functions workers, killed on stop even if orphaned."""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        return self.proc.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def error_lines(self) -> list[str]:
        """Log lines that look like an exception (``SomeError: ...``)."""
        return [line.strip() for line in self.log_text().splitlines() if _ERROR_LINE.match(line.strip())]

    def remember_children(self) -> None:
        """Snapshot the process tree (children get re-parented once node exits)."""
        if self.running():
            self._known |= processes.descendants(self.pid)

    def wait_ready(self, timeout: float = 180.0, probe: ReadyProbe | None = None,
                   on_progress: Callable[[str, int, int], None] | None = None) -> float:
        """Block until ``default_probe`` and then ``probe`` (if given) pass; return seconds taken.
        ``on_progress(next milestone, reached, total)`` is called whenever the count changes."""
        deadline = self.started_at + timeout
        last = -1
        while True:
            if on_progress is not None:
                states = milestones(self)
                reached = sum(done for _, done in states)
                if reached != last:
                    last = reached
                    on_progress(next((label for label, done in states if not done), "ready"), reached, len(states))
            self.remember_children()
            if not self.running():
                raise EmulatorError(
                    f"firebase emulators:start exited with code {self.proc.returncode}.\n"
                    f"--- {self.log_path} (tail) ---\n{self.log_tail()}"
                )
            log = self.log_text()
            if FUNCTIONS_FAILED in log and "functions" in self.only:
                raise EmulatorError(
                    "Functions failed to load: "
                    + "; ".join(self.error_lines()[-3:])
                    + f"\n--- {self.log_path} (tail) ---\n{self.log_tail()}"
                )
            if default_probe(self) and (probe is None or probe(self)):
                if on_progress is not None and last != (total := len(milestones(self))):
                    on_progress("ready", total, total)
                self.ready_seconds = time.monotonic() - self.started_at
                return self.ready_seconds
            if time.monotonic() > deadline:
                raise EmulatorError(
                    f"Emulators not ready after {timeout:.0f}s.\n--- {self.log_path} (tail) ---\n{self.log_tail()}"
                )
            time.sleep(0.25)

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGINT firebase (clean shutdown, export-on-exit), then SIGTERM/SIGKILL leftovers."""
        self.remember_children()
        if self.running():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        everything = {self.pid, *self._known}
        if self.orphan_pattern:
            # functions workers the emulator abandoned earlier were re-parented to init
            everything |= set(processes.pids_matching(self.orphan_pattern))
        processes.terminate(everything)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        return self.proc.returncode

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def write_isolated_config(root: Path) -> Path:
    """``firebase.json`` with every functions entry reading .env files from an empty folder."""
    import json

    config = json.loads((root / "firebase.json").read_text())
    entries = config.get("functions")
    for entry in entries if isinstance(entries, list) else [entries] if isinstance(entries, dict) else []:
        entry["configDir"] = NO_DOTENV_DIR
    (root / NO_DOTENV_DIR).mkdir(parents=True, exist_ok=True)
    path = root / ISOLATED_CONFIG
    path.write_text(json.dumps(config, indent=2))
    return path


def build_command(
    firebase_bin: Path,
    only: Sequence[str],
    project: str,
    import_dir: Path | None = None,
    export_on_exit: Path | None = None,
    config: Path | None = None,
) -> list[str]:
    cmd = [
        str(firebase_bin),
        "emulators:start",
        "--project",
        project,
        "--only",
        ",".join(only),
    ]
    if config is not None:
        cmd += ["--config", config.name]
    if import_dir is not None:
        cmd += ["--import", str(import_dir)]
    if export_on_exit is not None:
        cmd += ["--export-on-exit", str(export_on_exit)]
    return cmd


def start_emulators(
    root: Path,
    only: Sequence[str] = DEFAULT_ONLY,
    project: str = DEFAULT_PROJECT,
    import_dir: Path | None = None,
    export_on_exit: Path | None = None,
    quiet: bool = False,
    *,
    wait: bool = True,
    timeout: float = 180.0,
    probe: ReadyProbe | None = None,
    provisioned: Provisioned | None = None,
    extra_env: dict[str, str] | None = None,
    log_path: Path | None = None,
    console: object | None = None,
    ignore_dotenv: bool = False,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> EmulatorHandle:
    """Launch the suite in its own session, logging to ``logs/emulator.log``.

    Provisions first unless ``provisioned`` is given; waits for the default probe (and ``probe``)
    unless ``wait=False``. ``quiet`` suppresses provisioning progress. ``ignore_dotenv`` (test
    mode) keeps the project's ``.env`` away from the functions: only ``extra_env`` applies.
    """
    root = Path(root).resolve()
    only = [name.strip() for name in only if name.strip()]
    if not project.startswith("demo-"):
        raise EmulatorError(f"Use a demo- project id locally (got {project!r}).")
    ports = read_ports(root)
    busy = [f"{n} {h}:{p}" for n, (h, p) in ports.items() if n in (*only, "hub") and port_open(h, p)]
    if busy:
        raise EmulatorError(f"Ports already in use ({', '.join(busy)}): is a suite already running?")
    if provisioned is None:
        provisioned = provision_all(root, only, console=None if quiet else console)
    env = emulator_env(
        provisioned.java,
        provisioned.firestore_jar,
        provisioned.pubsub_script,
        extra=extra_env,
    )
    log_path = log_path or root / "logs" / "emulator.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    config = write_isolated_config(root) if ignore_dotenv else None
    cmd = build_command(provisioned.firebase_bin, only, project, import_dir, export_on_exit, config)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    handle = EmulatorHandle(proc, EmulatorUrls.build(project, ports, only), only, ports, log_path)
    handle.orphan_pattern = str(root / "venv" / "bin" / "functions-framework")
    if wait:
        try:
            handle.wait_ready(timeout, probe, on_progress)
        except BaseException:
            handle.stop(timeout=10)
            raise
    return handle


@contextlib.contextmanager
def running_emulators(
    root: Path,
    only: Sequence[str] = DEFAULT_ONLY,
    project: str = DEFAULT_PROJECT,
    reuse: bool = False,
    **kwargs: object,
) -> Iterator[EmulatorUrls]:
    """Yield the suite's URLs; start (and afterwards stop) it unless ``reuse`` finds one up."""
    if reuse:
        from .urls import detect_running

        existing = detect_running(project, root)
        if existing is not None:
            yield existing
            return
    handle = start_emulators(root, only, project, **kwargs)  # type: ignore[arg-type]
    try:
        yield handle.urls
    finally:
        handle.stop()
