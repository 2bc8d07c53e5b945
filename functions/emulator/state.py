"""The running suite's recorded process ids (``logs/emulator-state.json``), for ``mgr emulator stop``.

``mgr emulator`` records its own pid, the firebase CLI's pid and the CLI's descendants, each
with its start time (``/proc/<pid>/stat``), so a stop from another terminal signals exactly
those processes and never a pid the system has since given to something else.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from pathlib import Path
from typing import Any

from . import processes

STATE_FILE = "logs/emulator-state.json"


def start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), else None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _entry(pid: int) -> dict[str, Any]:
    return {"pid": pid, "start": start_time(pid)}


def _same(entry: dict[str, Any]) -> bool:
    """Still the process that was recorded (alive, same start time when known)."""
    pid = int(entry["pid"])
    if not processes.alive(pid):
        return False
    now = start_time(pid)
    return entry.get("start") is None or now is None or now == entry["start"]


def write_state(root: Path, firebase_pid: int, children: set[int], info: dict[str, Any]) -> Path:
    path = Path(root) / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"owner": _entry(os.getpid()), "firebase": _entry(firebase_pid),
             "children": [_entry(pid) for pid in sorted(children)], **info}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    tmp.replace(path)
    return path


def read_state(root: Path) -> dict[str, Any] | None:
    try:
        return json.loads((Path(root) / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None


def clear_state(root: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (Path(root) / STATE_FILE).unlink()


def stop_recorded(root: Path, timeout: float = 60.0) -> str:
    """Stop the suite recorded in the state file; answer what was done."""
    state = read_state(root)
    if state is None:
        return "no emulator suite recorded (logs/emulator-state.json is absent)"
    owner = state.get("owner") or {}
    if owner and _same(owner) and int(owner["pid"]) != os.getpid():
        # the `mgr emulator` that started it stops it cleanly (export-on-exit included)
        os.kill(int(owner["pid"]), signal.SIGTERM)
        if not processes.wait_gone({int(owner["pid"])}, timeout):
            clear_state(root)
            return f"stopped (mgr emulator, pid {owner['pid']})"
    firebase = state.get("firebase") or {}
    recorded = [entry for entry in [firebase, *state.get("children", [])] if entry and _same(entry)]
    pids = {int(entry["pid"]) for entry in recorded}
    if firebase and _same(firebase):
        pids |= processes.descendants(int(firebase["pid"]))
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(firebase["pid"]), signal.SIGINT)
        processes.wait_gone({int(firebase["pid"])}, 30.0)
    survivors = processes.terminate(pids)
    clear_state(root)
    return f"stopped {len(pids)} recorded process(es)" + (f"; {len(survivors)} would not exit" if survivors else "")
