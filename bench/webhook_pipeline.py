"""Benchmark: Firestore reads/writes per subscription event through the payments pipeline.

Drives N users through a realistic lifecycle (created/trialing → active → payment failed →
recovered → cancellation requested → cancelled: 6 events per subscription) with the test
processor: intake (``record_webhook``, the route's core after verification) + the on-write
pipeline (``process_webhook_event``) given the record's snapshot as the Firestore trigger delivers
it (the trigger's payload is not a billed read, so the bench takes it off the count). Runs on the in-memory store (its ``stats`` count every
document read and write), or on the emulator when ``FIRESTORE_EMULATOR_HOST`` is set (then
only timing is reported). The last line is ``reads_per_event=<int>`` (target ≤ 3).

    venv/bin/python bench/webhook_pipeline.py [--subscriptions 200]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from functions.payments.intake import record_webhook  # noqa: E402
from functions.payments.pipeline import process_webhook_event  # noqa: E402
from functions.payments.processors.stripe.events import parse_stripe_event  # noqa: E402
from functions.testing.payment_builders import make_event, make_invoice, make_subscription  # noqa: E402


def lifecycle(uid: str, order_id: str, start: int) -> list[dict]:
    sub_id = f"sub_bench_{uid}"

    def sub(**changes: object) -> dict:
        return make_subscription(uid=uid, order_id=order_id, id=sub_id, start=start, **changes)

    return [
        make_event("customer.subscription.created", sub(status="trialing", trial_days=14), created=start),
        make_event("customer.subscription.updated", sub(status="active"), created=start + 1),
        make_event("invoice.payment_failed", make_invoice(subscription=sub(status="past_due"), uid=uid), created=start + 2),
        make_event("customer.subscription.updated", sub(status="active"), created=start + 3),
        make_event("customer.subscription.updated", sub(status="active", cancel_at_period_end=True), created=start + 4),
        make_event("customer.subscription.deleted", sub(status="canceled", canceled_at=start + 5), created=start + 5),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("BEM_TESTING", "true")
    os.environ.setdefault("GCLOUD_PROJECT", "demo-bem")
    emulator = bool(os.environ.get("FIRESTORE_EMULATOR_HOST"))
    if not emulator:
        os.environ["BEM_FIRESTORE"] = "memory"
    from functions.manager import Manager
    from functions.user import new_user_doc

    manager = Manager.create(ROOT)
    db = manager.db
    start = int(time.time()) - 3600
    events = []
    for n in range(args.subscriptions):
        uid = f"bench-{n:05d}"
        db.collection("users").document(uid).set(new_user_doc(uid, f"{uid}@bench.dev").dump())
        order_id = f"{n:04d}-0000-0000"
        db.collection("payments-intents").document(order_id).set({"id": order_id, "owner": uid, "status": "pending"})
        events += lifecycle(uid, order_id, start)
    events.sort(key=lambda e: e["created"])
    stats = getattr(db, "stats", None)
    if stats is not None:
        stats.update(reads=0, writes=0)
    began = time.perf_counter()
    statuses: dict[str, int] = {}
    for event in events:
        record_webhook(manager, "test", parse_stripe_event(event, "test"))
        snapshot = db.collection("payments-webhooks").document(event["id"]).get()  # what the trigger delivers
        if stats is not None:
            stats["reads"] -= 1  # part of the trigger's event, not a read the pipeline makes
        outcome = process_webhook_event(manager, event["id"], snapshot=snapshot)
        key = outcome.status if outcome else "not-claimed"
        statuses[key] = statuses.get(key, 0) + 1
    elapsed = time.perf_counter() - began
    count = len(events)
    print(f"backend: {'emulator' if emulator else 'memory'}; events: {count} ({args.subscriptions} subscriptions x 6); "
          f"outcomes: {statuses}")
    print(f"events_per_second={count / elapsed:.0f} (intake + pipeline, {elapsed:.2f}s)")
    if stats is None:
        print("reads_per_event=-1 (not counted on the emulator)")
        return
    reads, writes = stats["reads"] / count, stats["writes"] / count
    print(f"firestore per event: reads={reads:.2f} writes={writes:.2f} (intake create=1 write; claim=1 conditional write; "
          f"commit=order+user reads (+intent on an order's first event), user+order+webhook (+intent) writes)")
    print(f"reads_per_event={math.ceil(reads - 1e-9)}")


if __name__ == "__main__":
    main()
