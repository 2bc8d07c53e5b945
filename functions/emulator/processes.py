"""Process-tree helpers: find every descendant of the firebase CLI and stop them all.

firebase-tools starts the Java emulators with ``detached: true`` (their own
process groups), so signalling our process group alone can miss them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def _ppid_map() -> dict[int, int]:
    """``{pid: ppid}`` for every process (``/proc`` on Linux, ``ps`` elsewhere)."""
    result: dict[int, int] = {}
    proc = Path("/proc")
    if proc.is_dir():
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...; comm may contain spaces/parentheses
            fields = stat[stat.rfind(")") + 2 :].split()
            result[int(entry.name)] = int(fields[1])
        return result
    out = subprocess.run(["ps", "-A", "-o", "pid=,ppid="], check=False, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            result[int(parts[0])] = int(parts[1])
    return result


def descendants(pid: int) -> set[int]:
    """All live descendants of ``pid`` (not including it)."""
    children: dict[int, list[int]] = {}
    for child, parent in _ppid_map().items():
        children.setdefault(parent, []).append(child)
    found: set[int] = set()
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is dead for our purposes
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True


def signal_all(pids: set[int], sig: int) -> None:
    """Send ``sig`` to each pid and to each one's process group."""
    groups: set[int] = set()
    for pid in pids:
        try:
            groups.add(os.getpgid(pid))
        except ProcessLookupError:
            continue
    for pgid in groups:
        if pgid > 1 and pgid != os.getpgrp():
            try:
                os.killpg(pgid, sig)
            except (ProcessLookupError, PermissionError):
                pass
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def wait_gone(pids: set[int], timeout: float) -> set[int]:
    """Wait until every pid has exited; return the survivors."""
    deadline = time.monotonic() + timeout
    remaining = {p for p in pids if alive(p)}
    while remaining and time.monotonic() < deadline:
        time.sleep(0.1)
        remaining = {p for p in remaining if alive(p)}
    return remaining


def pids_matching(pattern: str) -> list[int]:
    """pids whose command line contains ``pattern`` (like ``pgrep -f``), excluding ours."""
    out = subprocess.run(["pgrep", "-f", pattern], check=False, capture_output=True, text=True)
    me = os.getpid()
    return [int(p) for p in out.stdout.split() if p.strip() and int(p) != me]


TERMINATE_SEQUENCE = (signal.SIGTERM, signal.SIGKILL)


def terminate(pids: set[int], grace: float = 2.0) -> set[int]:
    """Give ``pids`` ``grace`` seconds to exit, then SIGTERM, then SIGKILL; return any survivors."""
    survivors = wait_gone(pids, grace)
    for sig in TERMINATE_SEQUENCE:
        if not survivors:
            break
        signal_all(survivors, sig)
        survivors = wait_gone(survivors, 5.0)
    return survivors
