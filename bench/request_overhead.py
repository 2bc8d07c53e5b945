"""Request overhead: GET /backend-manager/test/health through the whole bm_api pipeline
vs a bare firebase_functions handler returning the same JSON, both called in-process
with the same flask request (no network, no server).

    python bench/request_overhead.py [--requests 3000]

Prints medians (microseconds) and, last, ``ratio=<pipeline / bare>`` (target <= 2.0).
"""

from __future__ import annotations

import argparse
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
    parser.add_argument("--requests", type=int, default=3000)
    count = parser.parse_args().requests
    timed(main.bm_api, 200), timed(bare, 200)  # warm: route module loaded, caches filled
    pipeline, plain = [], []
    for _ in range(5):  # interleave blocks so noise hits both alike
        pipeline += timed(main.bm_api, count // 5)
        plain += timed(bare, count // 5)
    p, b = statistics.median(pipeline), statistics.median(plain)
    print(f"requests={count}")
    print(f"bare_median_us={b * 1e6:.1f}  (firebase_functions on_request returning the same JSON)")
    print(f"pipeline_median_us={p * 1e6:.1f}  (bm_api: CORS, body, route, auth, usage, settings, handler, bm-properties)")
    print(f"ratio={p / b:.3f}")


if __name__ == "__main__":
    main_()
