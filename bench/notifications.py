"""Push to every token under one tag: FCM batches, HTTP requests and Firestore reads.

``--tokens`` subscriptions ``notifications/{token}`` tagged ``news`` (plus 1,000 under another tag)
in the in-memory Firestore; ``manager.notifications.send`` targets ``tags=["news"]`` against the fake
FCM HTTP server (functions/testing/fcm_fake.py). Prints:
- ``send_each`` batches (the target: ceil(n/500)),
- HTTP requests the fake received (FCM v1 has no multi-message endpoint: firebase-admin's
  ``send_each`` makes one HTTP request per message, on a thread pool per batch),
- Firestore document reads per token (memory store's read counter),
- wall time.

    python bench/notifications.py [--tokens 100000]
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.update({"BEM_FIRESTORE": "memory", "BEM_TESTING": "true"})
    from functions.notifications import BATCH_SIZE, Notice, Targets
    from functions.testing import unit
    from functions.testing.fcm_fake import FCMFake

    manager = unit.make_manager(ROOT)
    logging.getLogger("bem").setLevel(logging.WARNING)
    fake = FCMFake().start()
    manager.services["fcm_api_base"] = fake.url
    db = manager.db
    batch = db.batch()
    for i in range(args.tokens + 1000):
        token = f"bench-{i:07d}"
        batch.set(db.collection("notifications").document(token), {"token": token, "tags": ["news"] if i < args.tokens else ["other"]})
    batch.commit()
    reads_before = db.stats["reads"]
    started = time.perf_counter()
    result = manager.notifications.send(Notice("Bench", "One tag"), Targets(tags=["news"]))
    seconds = time.perf_counter() - started
    reads = db.stats["reads"] - reads_before
    fake.stop()
    expected = math.ceil(args.tokens / BATCH_SIZE)
    print(f"tokens under the tag        {args.tokens:>10,}")
    print(f"sent                        {result['sent']:>10,}")
    print(f"send_each batches           {result['batches']:>10,}   (ceil(n/500) = {expected:,})")
    print(f"HTTP requests to FCM        {len(fake.sends):>10,}   (one per message: FCM v1 has no batch endpoint)")
    print(f"Firestore reads per token   {reads / max(args.tokens, 1):>10.3f}")
    print(f"wall time                   {seconds:>10.1f} s   ({args.tokens / seconds:,.0f} messages/s to a local fake)")
    print(f"FCM send_each calls per 500 tokens: {result['batches'] * BATCH_SIZE / max(args.tokens, 1):.2f}")


if __name__ == "__main__":
    main()
