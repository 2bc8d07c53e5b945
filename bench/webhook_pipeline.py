"""Benchmark: Firestore reads/writes per subscription event through the payments pipeline, per processor.

Drives N users per processor through a realistic lifecycle (6 events per subscription: trial →
paid → payment failed → recovered → cancellation → cancelled/expired) with each registered
processor's own events: intake (``record_webhook``, the route's core after verification) + the
on-write pipeline (``process_webhook_event``) given the record's snapshot as the Firestore trigger
delivers it (the trigger's payload is not a billed read, so the bench takes it off the count).
Processors that fetch over HTTP (Stripe, PayPal) talk to their fake servers; PayPal's plan fetch
is a processor call, not a Firestore read. Runs on the in-memory store (its ``stats`` count every
document read and write), or on the emulator when ``FIRESTORE_EMULATOR_HOST`` is set (then only
timing is reported). Prints one line per processor; the last line is ``reads_per_event=<int>`` for
the worst processor (target ≤ 3).

Adding a processor = one entry in ``BUILDERS``: ``Builder(name, lifecycle, parse, start)`` where
``lifecycle(uid, order_id, start) -> [(event, apply)]`` (``apply()`` sets the processor's state the
event's fetch will read, or None), ``parse(event) -> ParsedWebhook`` and ``start() -> stop`` runs
its fake (or None).

    venv/bin/python bench/webhook_pipeline.py [--subscriptions 200] [--processors test,stripe,paypal,chargebee]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import chargebee_case  # noqa: E402 (bench/chargebee_case.py, beside this script)

from functions.payments.intake import record_webhook  # noqa: E402
from functions.payments.pipeline import process_webhook_event  # noqa: E402
from functions.payments.processors import processor_names  # noqa: E402
from functions.testing.payment_builders import make_event, make_invoice, make_subscription  # noqa: E402

Step = tuple[dict, Callable[[], None] | None]


@dataclass
class Builder:
    name: str
    lifecycle: Callable[[str, str, int], list[Step]]
    parse: Callable[[dict], Any]
    start: Callable[[], Callable[[], None]] | None = None


# Stripe-shaped (the test processor, and Stripe through its fake API) ---------------------------------
_stripe: dict[str, Any] = {}


def stripe_lifecycle(uid: str, order_id: str, start: int, fake: Any = None) -> list[Step]:
    sub_id = f"sub_bench_{uid}"

    def sub(**changes: object) -> dict:
        return make_subscription(uid=uid, order_id=order_id, id=sub_id, start=start, **changes)

    states = [sub(status="trialing", trial_days=14), sub(status="active"), sub(status="past_due"), sub(status="active"),
              sub(status="active", cancel_at_period_end=True), sub(status="canceled", canceled_at=start + 5)]
    kinds = ["customer.subscription.created", "customer.subscription.updated", "invoice.payment_failed",
             "customer.subscription.updated", "customer.subscription.updated", "customer.subscription.deleted"]
    steps: list[Step] = []
    for n, (kind, state) in enumerate(zip(kinds, states, strict=True)):
        obj = make_invoice(subscription=state, uid=uid) if kind.startswith("invoice.") else state
        apply = (lambda state=state: fake.add(state)) if fake is not None else None
        steps.append((make_event(kind, obj, created=start + n), apply))
    return steps


def start_stripe() -> Callable[[], None]:
    from functions.testing.stripe_fake import StripeFake

    fake = StripeFake(port=0)
    fake.quiet = True  # no access log
    fake.start()
    _stripe["fake"] = fake
    os.environ.update(STRIPE_API_BASE=fake.url, STRIPE_SECRET_KEY="sk_test_bench", STRIPE_MAX_NETWORK_RETRIES="0")
    return fake.stop


def parse_stripe(name: str) -> Callable[[dict], Any]:
    from functions.payments.processors.stripe.events import parse_stripe_event

    return lambda event: parse_stripe_event(event, name)


# PayPal through its fake API ---------------------------------------------------------------------------
_paypal: dict[str, Any] = {}


def start_paypal() -> Callable[[], None]:
    from functions.config import CONFIG_FILE, load_config
    from functions.testing.paypal_fake import CLIENT_ID, CLIENT_SECRET, PayPalFake

    fake = PayPalFake(port=0).start()
    fake.seed(load_config(ROOT / CONFIG_FILE))
    _paypal["fake"] = fake
    os.environ.update(PAYPAL_API_BASE=fake.url, PAYPAL_CLIENT_ID=CLIENT_ID, PAYPAL_CLIENT_SECRET=CLIENT_SECRET,
                      PAYPAL_MAX_NETWORK_RETRIES="0")
    return fake.stop


def paypal_lifecycle(uid: str, order_id: str, start: int) -> list[Step]:
    fake = _paypal["fake"]
    sub = fake.add_subscription(uid=uid, order_id=order_id, plan_id="P-premium-monthly", start=start, trial=True)
    paid = fake.add_subscription(uid=uid, order_id=order_id, plan_id="P-premium-monthly", start=start, subscription_id=sub["id"],
                                 paid_at=start + 1)
    states = [sub, paid, paid, paid, {**paid, "status": "CANCELLED"}, {**paid, "status": "EXPIRED"}]
    kinds = ["BILLING.SUBSCRIPTION.ACTIVATED", "PAYMENT.SALE.COMPLETED", "PAYMENT.SALE.DENIED", "BILLING.SUBSCRIPTION.RE-ACTIVATED",
             "BILLING.SUBSCRIPTION.CANCELLED", "BILLING.SUBSCRIPTION.EXPIRED"]
    steps: list[Step] = []
    for n, (kind, state) in enumerate(zip(kinds, states, strict=True)):
        event = fake.sale_event(kind, sub["id"], created=start + n) if kind.startswith("PAYMENT.") else fake.event(kind, state, created=start + n)
        steps.append((event, lambda state=state, sub_id=sub["id"]: fake.subscriptions.__setitem__(sub_id, state)))
    return steps


def parse_paypal(event: dict) -> Any:
    from functions.payments.processors.paypal.webhook import parse_paypal_event

    return parse_paypal_event(event)


BUILDERS: dict[str, Builder] = {
    "test": Builder("test", stripe_lifecycle, parse_stripe("test")),
    "stripe": Builder("stripe", lambda uid, order, start: stripe_lifecycle(uid, order, start, _stripe["fake"]), parse_stripe("stripe"),
                      start_stripe),
    "paypal": Builder("paypal", paypal_lifecycle, parse_paypal, start_paypal),
    "chargebee": Builder("chargebee", chargebee_case.lifecycle, chargebee_case.parse, chargebee_case.start),
}


def run(manager: Any, builder: Builder, subscriptions: int) -> dict:
    from functions.user import new_user_doc

    db = manager.db
    index = list(BUILDERS).index(builder.name)
    stop = builder.start() if builder.start else None
    try:
        start = int(time.time()) - 3600
        steps: list[Step] = []
        for n in range(subscriptions):
            uid, order_id = f"bench-{builder.name}-{n:05d}", f"{n:04d}-{index:04d}-0000"
            db.collection("users").document(uid).set(new_user_doc(uid, f"{uid}@bench.dev").dump())
            db.collection("payments-intents").document(order_id).set({"id": order_id, "owner": uid, "status": "pending"})
            steps += builder.lifecycle(uid, order_id, start)
        steps.sort(key=lambda step: step[0].get("created") or step[0].get("create_time") or step[0].get("occurred_at") or 0)
        stats = getattr(db, "stats", None)
        if stats is not None:
            stats.update(reads=0, writes=0)
        began = time.perf_counter()
        statuses: dict[str, int] = {}
        for event, apply in steps:
            if apply is not None:
                apply()
            parsed = builder.parse(event)
            record_webhook(manager, builder.name, parsed)
            snapshot = db.collection("payments-webhooks").document(parsed.event_id).get()  # what the trigger delivers
            if stats is not None:
                stats["reads"] -= 1  # part of the trigger's event, not a read the pipeline makes
            outcome = process_webhook_event(manager, parsed.event_id, snapshot=snapshot)
            key = outcome.status if outcome else "not-claimed"
            statuses[key] = statuses.get(key, 0) + 1
        elapsed = time.perf_counter() - began
    finally:
        if stop is not None:
            stop()
    count = len(steps)
    result = {"name": builder.name, "events": count, "seconds": elapsed, "statuses": statuses}
    if stats is not None:
        result.update(reads=stats["reads"] / count, writes=stats["writes"] / count)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=200, help="per processor")
    parser.add_argument("--processors", default="", help="comma-separated (default: every registered processor)")
    args = parser.parse_args()
    os.environ.setdefault("BEM_TESTING", "true")
    os.environ.setdefault("GCLOUD_PROJECT", "demo-bem")
    emulator = bool(os.environ.get("FIRESTORE_EMULATOR_HOST"))
    if not emulator:
        os.environ["BEM_FIRESTORE"] = "memory"
    from functions.manager import Manager

    manager = Manager.create(ROOT)
    wanted = [name for name in args.processors.split(",") if name] or processor_names()
    missing = [name for name in wanted if name not in BUILDERS]
    if missing:
        print(f"no bench builder for: {', '.join(missing)} (add an entry to BUILDERS)")
    results = [run(manager, BUILDERS[name], args.subscriptions) for name in wanted if name in BUILDERS]
    print(f"backend: {'emulator' if emulator else 'memory'}; {args.subscriptions} subscriptions x 6 events per processor")
    for r in results:
        counted = f"reads={r['reads']:.2f} writes={r['writes']:.2f} " if "reads" in r else ""
        print(f"{r['name']:>8}: {counted}events_per_second={r['events'] / r['seconds']:.0f} ({r['events']} events, "
              f"{r['seconds']:.2f}s) outcomes={r['statuses']}")
    if emulator or not results:
        print("reads_per_event=-1 (not counted on the emulator)")
        return
    worst = max(results, key=lambda r: r["reads"])
    print(f"per event: intake create=1 write; claim=1 conditional write; commit=order+user reads (+intent on an order's "
          f"first event), user+order+webhook (+intent) writes; worst: {worst['name']}")
    print(f"reads_per_event={math.ceil(worst['reads'] - 1e-9)}")


if __name__ == "__main__":
    main()
