"""What the AI library costs around a provider call.

1. ``first``: the first OpenAI / Anthropic request in a fresh process (SDK import + client set-up +
   one call to a local fake server), median of ``--runs`` processes.
2. ``warm``: the library's own time per request with the ``test`` provider (normalise, price,
   validate a schema'd JSON reply, totals), median of ``--requests`` calls.

    python bench/ai_overhead.py [--runs 5] [--requests 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST = """
import os, time
from functions.testing.{module} import {fake}
fake = {fake}().start()
os.environ["{env}_BASE_URL"] = fake.base_url
os.environ["{env}_API_KEY"] = "test"
from functions.testing import unit
manager = unit.make_manager(unit.find_project_root(__import__("pathlib").Path.cwd()))
t = time.perf_counter()
manager.ai.request(message="hi", provider="{provider}", moderate=False)
print(time.perf_counter() - t)
"""


def first_request(provider: str, runs: int) -> float:
    module, fake, env = {"openai": ("openai_fake", "OpenAIFake", "OPENAI"),
                         "anthropic": ("anthropic_fake", "AnthropicFake", "ANTHROPIC")}[provider]
    code = FIRST.format(module=module, fake=fake, env=env, provider=provider)
    environ = {**os.environ, "BEM_FIRESTORE": "memory", "BEM_TESTING": "true"}
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, check=True)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def warm(requests: int) -> float:
    os.environ.update({"BEM_FIRESTORE": "memory", "BEM_TESTING": "true"})
    from pydantic import BaseModel

    from functions.testing import unit

    class Answer(BaseModel):
        message: str

    manager = unit.make_manager(ROOT)
    manager.ai.request(message="warm up", provider="test", schema=Answer)
    samples = []
    for _ in range(requests):
        t = time.perf_counter()
        manager.ai.request(message="hello", provider="test", schema=Answer)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    for provider in ("openai", "anthropic"):
        print(f"first_{provider}_request_ms={first_request(provider, args.runs) * 1000:.0f}")
    print(f"warm_request_overhead_us={warm(args.requests) * 1e6:.0f}")


if __name__ == "__main__":
    main()
