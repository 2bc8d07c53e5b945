"""Benchmark: draining the e-mail queue, and rendering a ``card`` e-mail.

Seeds ``--items`` due ``emails-queue`` items (same card, one recipient each), then drains them
as the ``email-queue`` job does (1,000 per run, runs repeated until nothing is due) through the
real SendGrid SDK against the fake SendGrid server (``functions/testing/sendgrid_fake.py``).
Reports Firestore reads and writes per e-mail (as Firestore bills them, counted by the in-memory
store), SendGrid requests (messages with the same body share one request, one personalization
each), the time for 2,500 and for ``--items`` items and their ratio, and the median time to
build (validate + render MJML + text part) one ``card`` e-mail.

    venv/bin/python bench/email_queue.py [--items 10000]

The last line is ``firestore_ops_per_email=<float>`` (target <= 3).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SMALL = 2500
CARD = {"subject": "Your weekly summary", "template": "card", "copy": False, "sender": "hello",
        "data": {"content": {"title": "This week", "message": "You did **great**. See [your dashboard](https://example.com/account)."}}}


def environment(fake_url: str) -> None:
    os.environ.update({"BEM_TESTING": "true", "BEM_FIRESTORE": "memory", "BEM_EMAIL_PROVIDER": "sendgrid",
                       "SENDGRID_API_HOST": fake_url, "SENDGRID_API_KEY": "SG.bench", "UNSUBSCRIBE_HMAC_KEY": "bench-key"})
    os.environ.pop("FIRESTORE_EMULATOR_HOST", None)


def fresh_manager() -> Any:
    from functions.manager import Manager
    from functions.store import reset_clients

    reset_clients()
    return Manager.create(ROOT)


def seed(manager: Any, items: int, now: int) -> None:
    from functions.store.batcher import Batcher

    db = manager.db
    batcher = Batcher(db)
    for index in range(items):
        ref = db.collection("emails-queue").document(f"q{index:06d}")
        batcher.set(ref, {"id": ref.id, "key": f"bench:{index}", "status": "pending", "sendAt": now - 60, "retries": 0,
                          "lastError": None, "updated": now, "settings": {**CARD, "to": f"user{index}@example.org"}})
    batcher.flush()


def drain_all(items: int, fake: Any) -> dict[str, Any]:
    manager = fresh_manager()
    now = dt.datetime.now(dt.UTC)
    seed(manager, items, int(now.timestamp()))
    fake.reset()
    db = manager.db
    db.stats.update(reads=0, writes=0)
    sent = runs = 0
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        while True:
            summary = manager.email.drain_queue(now)
            runs += 1
            sent += summary.sent
            if summary.due == 0:
                break
        seconds = time.perf_counter() - started
    finally:
        gc.enable()
    assert sent == items, f"sent {sent} of {items}"
    assert len(fake.recipients()) == items
    return {"items": items, "seconds": seconds, "reads": db.stats["reads"], "writes": db.stats["writes"],
            "requests": len(fake.attempts()), "runs": runs}


def card_render_ms(samples: int = 300) -> float:
    manager = fresh_manager()
    build = manager.email.build
    for _ in range(20):
        build({**CARD, "to": "ada@example.org"})
    times = []
    for index in range(samples):
        started = time.perf_counter()
        build({**CARD, "to": f"user{index}@example.org"})
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    import logging

    logging.disable(logging.INFO)  # one log line per e-mail would dominate the timing
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs per size; the median is reported")
    args = parser.parse_args()
    from functions.testing.sendgrid_fake import SendGridFake

    fake = SendGridFake(port=0).start()
    environment(fake.url)
    try:
        drain_all(200, fake)  # warm-up: imports, templates compiled, SDK client made
        smalls, larges = [], []
        for _ in range(max(args.repeat, 1)):  # interleaved, so machine noise hits both sizes alike
            smalls.append(drain_all(min(SMALL, args.items), fake))
            larges.append(drain_all(args.items, fake))
        small, large = (sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2] for runs in (smalls, larges))
        render = card_render_ms()
    finally:
        fake.stop()
    for result in (small, large):
        print(f"items={result['items']}: {result['seconds']:.2f}s in {result['runs']} drain runs, firestore reads={result['reads']} "
              f"writes={result['writes']}, sendgrid requests={result['requests']}")
    print(f"sendgrid requests for {large['items']} e-mails: {large['requests']} (personalizations per request: "
          f"{large['items'] / max(large['requests'], 1):.0f})")
    print(f"ratio: {large['seconds'] / small['seconds']:.2f} (items ratio {large['items'] / small['items']:.1f})")
    print(f"card_render_median_ms={render:.2f}")
    print(f"firestore_ops_per_email={(large['reads'] + large['writes']) / large['items']:.2f}")


if __name__ == "__main__":
    main()
