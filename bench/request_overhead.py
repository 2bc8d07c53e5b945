"""Request overhead: GET /backend-manager/test/health through the whole bm_api pipeline
vs a bare firebase_functions handler returning the same JSON, both called in-process
with the same flask request (no network, no server).

    python bench/request_overhead.py [--requests 6000]

The bare handler builds the same JSON the health route answers, current timestamp included
(``datetime.now`` formatted as ISO). A second, stricter figure divides by a bare handler that
writes a constant ISO timestamp instead (less work than the same JSON); it is printed too.
Samples of the three handlers are interleaved in small blocks so machine noise hits all alike.
Prints medians (microseconds) and, last, ``ratio=<pipeline / bare>`` (target <= 2.0).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BEM_FIRESTORE", "memory")
os.environ.pop("FUNCTION_TARGET", None)  # declare bm_api through the SDK decorator, like the bare handler

from firebase_functions import https_fn  # noqa: E402
from flask import Request  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

import main  # noqa: E402


@https_fn.on_request()
def bare(request: https_fn.Request) -> https_fn.Response:
    """The same JSON as the health route: the current time as ISO and UNIX seconds."""
    now = dt.datetime.now(dt.UTC)
    body = {"status": "ok", "timestamp": now.isoformat(timespec="milliseconds")[:-6] + "Z", "timestampUNIX": int(now.timestamp()),
            "environment": "production", "projectId": "demo-bem", "version": "0.1.0"}
    return https_fn.Response(json.dumps(body), status=200, mimetype="application/json")


@https_fn.on_request()
def bare_constant_time(request: https_fn.Request) -> https_fn.Response:
    """Stricter baseline: a constant ISO timestamp (no datetime work)."""
    body = {"status": "ok", "timestamp": "2026-01-01T00:00:00.000Z", "timestampUNIX": int(time.time()),
            "environment": "production", "projectId": "demo-bem", "version": "0.1.0"}
    return https_fn.Response(json.dumps(body), status=200, mimetype="application/json")


def make_request() -> Request:
    return Request(EnvironBuilder(path="/bm_api/backend-manager/test/health", method="GET").get_environ())


def timed(handler, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        request = make_request()
        start = time.perf_counter()
        response = handler(request)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response.get_data(as_text=True)
    return samples


def main_() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=6000)
    count = parser.parse_args().requests
    handlers = {"pipeline": main.bm_api, "bare": bare, "constant": bare_constant_time}
    samples: dict[str, list[float]] = {name: [] for name in handlers}
    for handler in handlers.values():
        timed(handler, 200)  # warm: route module loaded, caches filled
    block = 50
    for _ in range(max(1, count // block)):  # interleave small blocks so noise hits all alike
        for name, handler in handlers.items():
            samples[name] += timed(handler, block)
    p, b, c = (statistics.median(samples[name]) for name in handlers)
    print(f"requests={count} per handler, in blocks of {block}")
    print(f"bare_median_us={b * 1e6:.1f}  (firebase_functions on_request building the same JSON)")
    print(f"bare_constant_time_median_us={c * 1e6:.1f}  (the same with a constant ISO timestamp)")
    print(f"pipeline_median_us={p * 1e6:.1f}  (bm_api: CORS, body, route, auth, usage, settings, handler, bm-properties)")
    print(f"ratio_vs_constant_time={p / c:.3f}")
    print(f"ratio={p / b:.3f}")


if __name__ == "__main__":
    main_()
