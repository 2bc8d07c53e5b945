"""Benchmark: marketing contact sync of 10,000 users (issue 15) in batches the providers accept.

``manager.marketing.sync_all()`` streams ``users`` from the in-memory Firestore and upserts them
through the fake SendGrid Marketing (real SDK) and Beehiiv (``requests``) servers, both enabled.
Reports the provider calls: contact upserts per provider (target: at most one per 1,000 contacts,
so 10 for 10,000) and the one-off metadata reads (SendGrid's custom field ids, cached per process).

    venv/bin/python bench/marketing_contacts.py [--users 10000]

The last line is ``contact_sync_calls_per_provider=<int>`` (the larger provider's upsert count).
``bench/campaigns.py`` prints these figures too (``contact_sync_figures``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

UPSERTS = {"campaigns": ("PUT", "/v3/marketing/contacts"), "newsletter": ("POST", "/v2/publications/")}


def seed_users(manager: Any, count: int) -> None:
    from functions.user.defaults import new_user_doc

    batch = manager.db.batch()
    for i in range(count):
        uid = f"bench{i:06d}"
        doc = new_user_doc(uid, f"reader{i:06d}@example.org").dump()
        doc["consent"]["marketing"]["status"] = "granted"
        if i % 10 == 0:  # a tenth pays: their subscription fields go out too
            doc["subscription"] = {"product": {"id": "premium"}, "status": "active",
                                   "payment": {"processor": "stripe", "frequency": "monthly", "price": 9}}
        batch.set(manager.db.collection("users").document(uid), doc)
        if i % 500 == 499:
            batch.commit()
            batch = manager.db.batch()
    batch.commit()


def measure(users: int) -> dict[str, Any]:
    """Run the sync against fresh fakes; the figures (calls per provider, seconds, synced)."""
    from functions.manager import Manager
    from functions.marketing.providers import forget_clients
    from functions.store import reset_clients
    from functions.testing.beehiiv_fake import BeehiivFake
    from functions.testing.marketing_fixtures import PUBLICATION, set_marketing_config
    from functions.testing.sendgrid_fake import SendGridFake

    sendgrid, beehiiv = SendGridFake(port=0).start(), BeehiivFake(port=0).start()
    saved = {k: os.environ.get(k) for k in ("SENDGRID_API_HOST", "SENDGRID_API_KEY", "BEEHIIV_API_BASE", "BEEHIIV_API_KEY")}
    os.environ.update({"SENDGRID_API_HOST": sendgrid.url, "SENDGRID_API_KEY": "SG.bench", "BEEHIIV_API_BASE": beehiiv.base_url,
                       "BEEHIIV_API_KEY": "bh-bench"})
    try:
        reset_clients()
        forget_clients()
        manager = Manager.create(ROOT)
        set_marketing_config(manager, campaigns={"enabled": True}, newsletter={"enabled": True, "publicationId": PUBLICATION})
        seed_users(manager, users)
        started = time.perf_counter()
        result = manager.marketing.sync_all()
        seconds = time.perf_counter() - started
        upserts = {"campaigns": len(sendgrid.marketing_calls(*UPSERTS["campaigns"])),
                   "newsletter": len([c for c in beehiiv.calls("POST", UPSERTS["newsletter"][1]) if "subscriptions" in c.path])}
        total = {"campaigns": len(sendgrid.marketing_calls()), "newsletter": len(beehiiv.calls())}
        stored = {"campaigns": len(sendgrid.contacts()), "newsletter": len(beehiiv.subscriptions(PUBLICATION))}
    finally:
        sendgrid.stop()
        beehiiv.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {"users": users, "synced": result["synced"], "seconds": seconds, "upserts": upserts, "total": total, "stored": stored}


def contact_sync_figures(users: int = 10_000) -> list[str]:
    """The lines ``bench/campaigns.py`` prints for the contact-sync target."""
    figures = measure(users)
    per_provider = max(figures["upserts"].values())
    return [
        f"contact sync of {figures['users']} users: {figures['synced']} synced in {figures['seconds']:.2f}s; "
        f"upsert calls {figures['upserts']} (all calls incl. metadata {figures['total']}); stored {figures['stored']}",
        f"contact sync calls per 1,000 contacts: {per_provider / max(figures['synced'] / 1000, 1):.2f} "
        f"({'within' if per_provider <= -(-figures['synced'] // 1000) else 'OVER'} the target of 1)",
        f"contact_sync_calls_per_provider={per_provider}",
    ]


def main() -> None:
    import logging

    logging.disable(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.update({"BEM_TESTING": "true", "BEM_FIRESTORE": "memory"})
    os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
    for line in contact_sync_figures(args.users):
        print(line)


if __name__ == "__main__":
    main()
