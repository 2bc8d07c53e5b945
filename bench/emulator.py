"""Benchmark: Firebase Emulator Suite start-up time (auth, firestore, functions).

Provisioning (firebase-tools, Java, Firestore jar, venv check) runs first and is
timed separately. Then the suite is started twice with fresh processes: the
first ("cold") start right after provisioning and a second ("warm") one right
after the first has stopped. "Ready" means every requested port answers and the
functions were loaded (or, with ``--probe``, that URL answers).

    venv/bin/python bench/emulator.py [--root DIR] [--only auth,firestore,functions]

The last line is ``start_seconds=<cold seconds>``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from functions.emulator import (  # noqa: E402
    EmulatorHandle,
    http_probe,
    provision_all,
    start_emulators,
)
from functions.emulator.processes import pids_matching  # noqa: E402

LEFTOVER_PATTERNS = (
    "cloud-firestore-emulator",
    "emulators:start",
    "functions-framework",
)


def one_start(root: Path, only: list[str], project: str, probe_url: str | None, prov):
    probe = http_probe(probe_url) if probe_url else None
    t0 = time.monotonic()
    handle: EmulatorHandle = start_emulators(root, only, project, provisioned=prov, probe=probe, quiet=True)
    ready = time.monotonic() - t0
    t1 = time.monotonic()
    handle.stop()
    stop = time.monotonic() - t1
    leftovers = {p: pids_matching(p) for p in LEFTOVER_PATTERNS}
    leftovers = {p: pids for p, pids in leftovers.items() if pids}
    return ready, stop, leftovers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--only", default="auth,firestore,functions")
    parser.add_argument("--project", default="demo-bem")
    parser.add_argument("--probe", default=None, help="URL (or path under the functions base) to await")
    args = parser.parse_args()
    only = [x for x in args.only.split(",") if x]
    if "functions" in only and not (args.root / "main.py").exists():
        print(f"no main.py in {args.root}; pass --root of a deployable project")
        return 2

    t0 = time.monotonic()
    prov = provision_all(args.root, only)
    provision_s = time.monotonic() - t0
    print(f"provision_seconds={provision_s:.2f} (java {prov.java_major}: {prov.java})")

    cold, cold_stop, left1 = one_start(args.root, only, args.project, args.probe, prov)
    print(f"cold start: ready in {cold:.2f}s, stop {cold_stop:.2f}s")
    warm, warm_stop, left2 = one_start(args.root, only, args.project, args.probe, prov)
    print(f"warm start: ready in {warm:.2f}s, stop {warm_stop:.2f}s")
    leftovers = left1 or left2
    print(f"leftover processes after stop: {leftovers or 'none'}")
    print(f"warm_start_seconds={warm:.2f}")
    print(f"start_seconds={cold:.2f}")
    return 1 if leftovers else 0


if __name__ == "__main__":
    raise SystemExit(main())
