"""Benchmark: one due newsletter campaign sent by the ``marketing-campaigns`` job to a large segment.

The ``_recurring-newsletter`` campaign (an issue's HTML already in its settings, as the generator's
overlay leaves it) is due and targets ``subscription_free``; the fake SendGrid server
(``functions/testing/sendgrid_fake.py``, real SDK) holds ``--contacts`` members in that segment, and
the fake Beehiiv server takes the post when ``marketing.newsletter`` is enabled. The job runs once
on the in-memory Firestore, for 1,000 and for ``--contacts`` contacts. Reports, per due campaign:

- provider calls (HTTP requests to SendGrid Marketing and Beehiiv): the same for both sizes, since a
  campaign is one Single Send / one post for the whole segment, never one call per contact;
- Firestore document reads made by the job (due query, claim transaction, the send ledger);
- contact sync of ``--users`` (10,000) users through both fakes: upsert calls per provider (at most one
  per 1,000 contacts; ``bench/marketing_contacts.py``);

    venv/bin/python bench/campaigns.py [--contacts 50000] [--users 10000]

The last line is ``provider_calls_per_campaign=<int>``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SMALL = 1000
ISSUE_HTML = "<h1>This week</h1><p>Three stories worth your time, <a href='https://example.com/a'>the first</a>.</p>"


def environment(sendgrid_url: str, beehiiv_url: str) -> None:
    os.environ.update({"BEM_TESTING": "true", "BEM_FIRESTORE": "memory", "SENDGRID_API_HOST": sendgrid_url,
                       "SENDGRID_API_KEY": "SG.bench", "BEEHIIV_API_BASE": beehiiv_url, "BEEHIIV_API_KEY": "bh-bench",
                       "UNSUBSCRIBE_HMAC_KEY": "bench-key"})
    os.environ.pop("FIRESTORE_EMULATOR_HOST", None)


def fresh_manager() -> Any:
    from functions.manager import Manager
    from functions.marketing.providers import forget_clients
    from functions.store import reset_clients
    from functions.testing.marketing_fixtures import PUBLICATION, set_marketing_config

    reset_clients()
    forget_clients()
    manager = Manager.create(ROOT)
    set_marketing_config(manager, campaigns={"enabled": True}, newsletter={"enabled": True, "publicationId": PUBLICATION})
    return manager


def newsletter_campaign(now: dt.datetime) -> dict:
    from functions.marketing.campaigns.seeds import build_seeds

    [seed] = [s for s in build_seeds(now - dt.timedelta(days=8)) if s.id == "_recurring-newsletter"]
    doc = dict(seed.doc)
    doc["sendAt"] = int(now.timestamp()) - 60
    doc["settings"] = {**doc["settings"], "subject": "This week at {brand.name}", "preheader": "Three stories",
                       "content": ISSUE_HTML, "segments": ["subscription_free"], "providers": ["campaigns", "newsletter"]}
    doc.pop("generator")  # the issue is already generated: this measures the send, not the AI
    return doc


def run_once(contacts: int, sendgrid: Any, beehiiv: Any) -> dict[str, Any]:
    from functions.email import senders
    from functions.marketing.campaigns import runner
    from functions.marketing.providers import enabled

    manager = fresh_manager()
    now = dt.datetime.now(dt.UTC)
    sendgrid.reset()
    beehiiv.reset()
    sendgrid.add_sender(senders.resolve(manager.config, sender="newsletter", from_=None, group=None).address.email)
    sendgrid.set_segment_members("subscription_free", [f"reader{i:06d}@example.org" for i in range(contacts)])
    manager.db.collection("marketing-campaigns").document("_recurring-newsletter").set(newsletter_campaign(now))
    manager.db.stats.update(reads=0, writes=0)
    started = time.perf_counter()
    summary = runner.run(manager, now)
    seconds = time.perf_counter() - started
    doc = manager.db.document("marketing-campaigns/_recurring-newsletter").get().to_dict()
    history = manager.db.document(f"marketing-campaigns/_recurring-newsletter-{newsletter_campaign(now)['sendAt']}").get().to_dict()
    reads = manager.db.stats["reads"] - 2  # the two reads just above are the benchmark's own
    calls = {"campaigns": len(sendgrid.marketing_calls()), "newsletter": len(beehiiv.calls())}
    return {"contacts": contacts, "sent": summary.sent, "seconds": seconds, "reads": reads, "calls": calls,
            "results": history["results"] if history else doc.get("results"), "providers": [n for n in calls if enabled(manager, n)]}


def contact_sync_figures(args: argparse.Namespace) -> list[str]:
    """The 10,000-user contact sync figures (issue 15's second bench target): ``bench/marketing_contacts.py``
    against fresh fakes; the lines to print before the last line."""
    sys.path.insert(0, str(ROOT / "bench"))
    from marketing_contacts import contact_sync_figures as measure

    return measure(args.users)


def main() -> None:
    import logging

    logging.disable(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=10_000, help="users for the contact-sync figures")
    args = parser.parse_args()
    from functions.testing.beehiiv_fake import BeehiivFake
    from functions.testing.sendgrid_fake import SendGridFake

    sendgrid, beehiiv = SendGridFake(port=0).start(), BeehiivFake(port=0).start()
    environment(sendgrid.url, beehiiv.base_url)
    try:
        run_once(10, sendgrid, beehiiv)  # warm-up: imports, SDK clients
        small, large = run_once(min(SMALL, args.contacts), sendgrid, beehiiv), run_once(args.contacts, sendgrid, beehiiv)
    finally:
        sendgrid.stop()
        beehiiv.stop()
    for result in (small, large):
        outcome = {name: bool(r.get("success")) for name, r in (result["results"] or {}).items()}
        print(f"contacts={result['contacts']}: sent={result['sent']} in {result['seconds']:.2f}s, provider calls {result['calls']} "
              f"(enabled: {', '.join(result['providers'])}; succeeded: {outcome}), job firestore reads={result['reads']}")
    same = small["calls"] == large["calls"]
    print(f"provider calls independent of the contact count: {'yes' if same else 'NO'} "
          f"({sum(small['calls'].values())} for {small['contacts']}, {sum(large['calls'].values())} for {large['contacts']})")
    print(f"firestore_reads_per_due_campaign={large['reads']}")
    for line in contact_sync_figures(args):
        print(line)
    print(f"provider_calls_per_campaign={sum(large['calls'].values())}")


if __name__ == "__main__":
    main()
