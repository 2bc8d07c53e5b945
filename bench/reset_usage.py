"""Benchmark: the reset-usage daily job over many users.

Seeds ``--users`` users of whom ``--active`` (default 25%) used something yesterday
(non-zero daily counters); of those, ``--bem-share`` (default 20%) carry BEM-written counters
(``last.timestampUNIX`` of yesterday, no marker: a migrated BEM user) and the rest the
``usageActive`` marker the port's meter writes. The other users have zero daily counters. Also seeds anonymous ``usage/{ip}`` documents. Then runs
the job as the cron would on a mid-month day and reports what it read and wrote.
The job is run for 5,000 users and for ``--users`` to show that time grows linearly
(after a warm-up run; each size is seeded afresh ``--repeat`` times, the median run is reported).

    venv/bin/python bench/reset_usage.py --users 20000

In-memory Firestore unless ``FIRESTORE_EMULATOR_HOST`` is set (then the emulator,
cleared first). The last line is ``writes_per_active_user=<float>`` (target 1.0).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from functions.usage.reset import reset_usage  # noqa: E402

NOW = dt.datetime(2024, 4, 15, 0, 0, 5, tzinfo=dt.UTC)  # a mid-month run, just after 00:00 UTC
YESTERDAY, THIS_MONTH = "2024-04-14", "2024-04"
YESTERDAY_UNIX = int(dt.datetime(2024, 4, 14, 18, 0, tzinfo=dt.UTC).timestamp())
METRICS = ("requests", "tests")  # BEM's selection: requests + every product limit metric
SMALL = 5000
PROJECT = "demo-bem-bench"  # its own emulator project: clearing it touches no one else's data


def make_db() -> Any:
    if os.environ.get("FIRESTORE_EMULATOR_HOST"):
        import requests
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import firestore

        host = os.environ["FIRESTORE_EMULATOR_HOST"]
        requests.delete(f"http://{host}/emulator/v1/projects/{PROJECT}/databases/(default)/documents", timeout=60)
        return firestore.Client(project=PROJECT, credentials=AnonymousCredentials())
    from functions.store.memory import MemoryFirestore

    return MemoryFirestore(PROJECT)


def metric(monthly: int, daily: int, total: int, last_unix: int = 0) -> dict:
    return {"monthly": monthly, "daily": daily, "total": total, "last": {"id": None, "timestamp": None, "timestampUNIX": last_unix}}


def seed(db: Any, users: int, active_share: float, rng: random.Random, bem_share: float = 0.2) -> int:
    """Users (``active_share`` of them active yesterday, ``bem_share`` of those with BEM-written
    counters and no marker) and users // 20 anonymous IP documents."""
    active = 0
    batch, pending = db.batch(), 0
    for index in range(users):
        document: dict[str, Any] = {"auth": {"uid": f"u{index:06d}"}, "subscription": {"product": {"id": "basic"}}}
        if rng.random() < active_share:
            active += 1
            daily = rng.randint(1, 4)
            document["usage"] = {"requests": metric(daily + rng.randint(0, 40), daily, daily + rng.randint(0, 500))}
            if rng.random() < 0.3:
                document["usage"]["tests"] = metric(2, 1, 9)
            if rng.random() < bem_share:
                for counters in document["usage"].values():
                    counters["last"]["timestampUNIX"] = YESTERDAY_UNIX
            else:
                document["usageActive"] = {"day": YESTERDAY, "month": THIS_MONTH}
        elif rng.random() < 0.5:  # used the product earlier this month, not yesterday
            document["usage"] = {"requests": metric(rng.randint(1, 40), 0, rng.randint(1, 500))}
            document["usageActive"] = {"month": THIS_MONTH}
        batch.set(db.collection("users").document(f"u{index:06d}"), document)
        pending += 1
        if pending == 500:
            batch.commit()
            batch, pending = db.batch(), 0
    for index in range(users // 20):
        batch.set(db.collection("usage").document(f"198.51.{index // 256}.{index % 256}"), {"requests": metric(1, 1, 1)})
        pending += 1
        if pending == 500:
            batch.commit()
            batch, pending = db.batch(), 0
    if pending:
        batch.commit()
    return active


def run(users: int, active_share: float, seed_value: int, bem_share: float = 0.2) -> dict[str, Any]:
    db = make_db()
    active = seed(db, users, active_share, random.Random(seed_value), bem_share)
    stats_before = dict(getattr(db, "stats", {}))
    gc.collect()
    gc.disable()  # as timeit does: a collection pass over the seeded store is not the job's cost
    try:
        started = time.perf_counter()
        summary = reset_usage(db, NOW, metrics=METRICS)
        seconds = time.perf_counter() - started
    finally:
        gc.enable()
    scanned = getattr(db, "stats", {}).get("scanned", 0) - stats_before.get("scanned", 0)
    remaining = sum(
        1 for s in db.collection("users").stream() if any(m.get("daily") for m in (s.to_dict().get("usage") or {}).values())
    )
    return {"users": users, "active": active, "seconds": seconds, "summary": summary, "scanned": scanned, "remaining": remaining}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--active", type=float, default=0.25, help="share of users active yesterday")
    parser.add_argument("--bem-share", type=float, default=0.2, help="share of active users with BEM counters, no marker")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5, help="runs per size; the median is reported")
    args = parser.parse_args()
    backend = "emulator" if os.environ.get("FIRESTORE_EMULATOR_HOST") else "in-memory"
    print(
        f"reset-usage benchmark ({backend} Firestore), run at {NOW.isoformat()}, {args.active:.0%} of users active, "
        f"{args.bem_share:.0%} of them with BEM counters and no marker"
    )

    run(100, args.active, args.seed, args.bem_share)  # warm-up: imports, first client

    def median(users: int) -> dict[str, Any]:
        runs = sorted(
            (run(users, args.active, args.seed, args.bem_share) for _ in range(max(args.repeat, 1))), key=lambda r: r["seconds"]
        )
        return runs[len(runs) // 2]

    small = median(min(SMALL, args.users))
    large = median(args.users)
    for result in (small, large):
        s = result["summary"]
        print(
            f"users={result['users']} active={result['active']} anonymous={s.anonymous_deleted}: "
            f"{result['seconds']:.3f}s, documents read={s.documents_read} (users {s.users_read}), "
            f"documents written={s.documents_written} (users {s.users_written}), "
            f"users left with daily>0={result['remaining']}"
            + (f", memory-store documents scanned={result['scanned']}" if backend == "in-memory" else "")
        )
    s = large["summary"]
    print(f"documents read: {s.documents_read}")
    print(f"documents written: {s.documents_written}")
    print(f"seconds: {large['seconds']:.3f}")
    print(f"time {small['users']} users: {small['seconds']:.3f}s")
    print(f"time {large['users']} users: {large['seconds']:.3f}s")
    print(f"ratio: {large['seconds'] / small['seconds']:.2f} (users ratio {large['users'] / small['users']:.1f})")
    print(f"writes_per_active_user={s.users_written / large['active']:.4f}" if large["active"] else "writes_per_active_user=0")


if __name__ == "__main__":
    main()
