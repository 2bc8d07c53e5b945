"""Body parsing on the request path: parse (functions/api/body.py) + the Firestore storability
check (functions/api/storable.py), for the usual small body and for hostile ones.

    python bench/body_parsing.py

Prints CPU microseconds/milliseconds per body (median of repeated runs). The last line,
``worst_hostile_ms=``, is the slowest hostile 100 KB body: it must stay in milliseconds (the old
JSON5 fallback took ~4.5 CPU-seconds per 100 KB).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Request
from werkzeug.test import EnvironBuilder

from functions.api import storable
from functions.api.body import parse_request
from functions.errors import BemError

SMALL = json.dumps({"productId": "premium", "frequency": "monthly", "attribution": {"utm": {"tags": {"source": "x"}}}})
WIDE = json.dumps([{f"k{i}": "v" * 50, "n": [1, 2, {"x": "é"}]} for i in range(950)])
HOSTILE = {
    "deep_objects": '{"a":' * 500 + "1" + "}" * 500,
    "deep_arrays_100kb": "[" * 50_000 + "]" * 50_000,
    "json5_100kb": "{" + ", ".join(f"k{i}: 'v'" for i in range(8_000)) + "}",
    "surrogates_100kb": json.dumps({f"k{i}": "\\ud800" for i in range(5_000)}).replace("\\\\", "\\"),
}


def cpu_seconds(text: str, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        request = Request(EnvironBuilder(method="POST", data=text.encode(), content_type="application/json").get_environ())
        start = time.process_time()
        try:
            storable.check(parse_request(request).data)
        except BemError:
            pass
        samples.append(time.process_time() - start)
    return statistics.median(samples)


def main() -> None:
    print(f"small_body_us={cpu_seconds(SMALL, 3000) * 1e6:.1f}  ({len(SMALL)} bytes, parse + storable check)")
    print(f"wide_body_ms={cpu_seconds(WIDE, 30) * 1e3:.2f}  ({len(WIDE)} bytes of valid JSON, 950 objects)")
    worst = 0.0
    for name, text in HOSTILE.items():
        seconds = cpu_seconds(text, 10)
        worst = max(worst, seconds)
        print(f"{name}_ms={seconds * 1e3:.2f}  ({len(text)} bytes, refused)")
    print(f"worst_hostile_ms={worst * 1e3:.2f}")


if __name__ == "__main__":
    main()
