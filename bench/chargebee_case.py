"""The Chargebee case of the webhook pipeline bench: Chargebee events for M users, served by the fake API.

What ``bench/webhook_pipeline.py`` needs to run Chargebee (its ``BUILDERS["chargebee"]``):

- ``start() -> stop``: runs the fake Chargebee API and points the SDK at it;
- ``lifecycle(uid, order_id, start) -> [(event, apply)]``: 6 events for one user (N = 6 x M);
  ``apply()`` sets the fake to Chargebee's state when it sent the event (the pipeline fetches it);
- ``parse(event) -> ParsedWebhook``: what intake records (``record_webhook(manager, "chargebee", parsed)``).
Chargebee events carry ``occurred_at`` (not ``created``), which the bench orders by.

Each user's lifecycle: ``subscription_created`` from a hosted page (in trial, no ``meta_data``: the
pipeline finds the uid through the hosted page and writes it back: processor calls, no Firestore read),
``subscription_activated``, ``payment_failed`` (forced suspended), ``subscription_renewed``,
``subscription_cancellation_scheduled`` (``non_renewing``), ``subscription_cancelled``.
Run it with the others: ``venv/bin/python bench/webhook_pipeline.py --processors chargebee``.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from functions.payments.processors.base import ParsedWebhook  # noqa: E402
from functions.payments.processors.chargebee.webhook import parse_chargebee_event  # noqa: E402
from functions.testing.chargebee_fake import ChargebeeFake  # noqa: E402

DAY = 86400


class ChargebeeCase:
    name = "chargebee"

    def __init__(self) -> None:
        self.fake = ChargebeeFake(port=0).start()
        os.environ.update({"CHARGEBEE_API_BASE": self.fake.url, "CHARGEBEE_API_KEY": "cb_bench_fake",
                           "CHARGEBEE_MAX_NETWORK_RETRIES": "0"})
        self._pages: dict[str, dict] = {}  # subscription id → the hosted page that made it

    def events(self, uid: str, order_id: str, start: int) -> list[dict]:
        sub_id, customer_id = f"cb_sub_bench_{uid}", f"cb_cust_bench_{uid}"
        meta = json.dumps({"uid": uid, "orderId": order_id, "productId": "premium"})
        self.fake.add({"id": customer_id, "object": "customer", "first_name": "Bench", "last_name": uid})
        self._pages[sub_id] = {"id": f"hp_bench_{uid}", "object": "hosted_page", "type": "checkout_new",
                               "state": "succeeded", "created_at": start, "pass_thru_content": meta,
                               "content": {"subscription": {"id": sub_id}, "customer": {"id": customer_id}}}
        term = {"current_term_start": start + 1, "current_term_end": start + 30 * DAY}

        def sub(with_meta: bool = True, **state: object) -> dict:
            base = {"id": sub_id, "object": "subscription", "customer_id": customer_id, "started_at": start,
                    "created_at": start, "trial_start": start, "trial_end": start + 14 * DAY,
                    "subscription_items": [{"item_price_id": "premium-demo-monthly", "unit_price": 499}]}
            return {**base, **({"meta_data": meta} if with_meta else {}), **state}

        steps = [
            ("subscription_created", sub(False, status="in_trial")),
            ("subscription_activated", sub(status="active", **term)),
            ("payment_failed", sub(status="active", **term)),
            ("subscription_renewed", sub(status="active", **term)),
            ("subscription_cancellation_scheduled", sub(status="non_renewing", cancelled_at=start + 30 * DAY, **term)),
            ("subscription_cancelled", sub(status="cancelled", cancelled_at=start + 5, **term)),
        ]
        return [self.fake.event(event_type, start + offset, subscription=state)
                for offset, (event_type, state) in enumerate(steps)]

    def before(self, event: dict) -> None:
        """Set the fake to the state Chargebee had when it sent ``event`` (the pipeline fetches it)."""
        subscription = copy.deepcopy(event["content"]["subscription"])
        stored = self.fake.get("subscription", subscription["id"])
        if stored and stored.get("meta_data") and not subscription.get("meta_data"):
            subscription["meta_data"] = stored["meta_data"]
        self.fake.add(subscription)
        page = self._pages.pop(subscription["id"], None)
        if page is not None:  # the hosted page exists from the checkout on; the newest 25 are searched
            self.fake.add({**page, "created_at": int(time.time())})

    def parse(self, event: dict) -> ParsedWebhook | None:
        return parse_chargebee_event(event)

    def close(self) -> None:
        self.fake.stop()


_running: dict[str, ChargebeeCase] = {}


def start() -> Callable[[], None]:
    """Run the fake (once per bench run); answers how to stop it."""
    case = _running["case"] = ChargebeeCase()
    return case.close


def lifecycle(uid: str, order_id: str, start: int) -> list[tuple[dict, Callable[[], None]]]:
    case = _running["case"]
    return [(event, lambda event=event: case.before(event)) for event in case.events(uid, order_id, start)]


def parse(event: dict) -> ParsedWebhook | None:
    return parse_chargebee_event(event)
