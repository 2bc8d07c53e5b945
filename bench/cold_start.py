"""Cold start: importing main.py (Manager.init included) vs importing the Firebase SDKs alone.

Each sample is a fresh Python process that times its own imports (interpreter start-up
excluded). Prints both medians and, last, ``ratio=<main / sdk>`` (target <= 1.5).

    python bench/cold_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SDK = "import time; t = time.perf_counter(); import firebase_functions, firebase_admin; print(time.perf_counter() - t)"
MAIN = "import time; t = time.perf_counter(); import main; print(time.perf_counter() - t)"


def sample(code: str, target: str | None = "bm_api") -> float:
    env = {**os.environ, "BEM_FIRESTORE": "memory"}
    env.pop("FUNCTION_TARGET", None)
    if target:
        env["FUNCTION_TARGET"] = target  # what Cloud Functions sets on a serving instance
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    sample(SDK), sample(MAIN)  # warm the bytecode caches, as a deployed instance has them
    sdk, app, discovery = [], [], []
    for _ in range(runs):  # interleave so machine noise hits all alike
        sdk.append(sample(SDK))
        app.append(sample(MAIN))
        discovery.append(sample(MAIN, target=None))
    sdk_median, app_median = statistics.median(sdk), statistics.median(app)
    print(f"runs={runs}")
    print(f"sdk_import_median_s={sdk_median:.4f}  (import firebase_functions, firebase_admin)")
    print(f"discovery_import_median_s={statistics.median(discovery):.4f}  (import main with no FUNCTION_TARGET: "
          "every bm_* declared through the SDK, as firebase-tools reads the manifest; not a cold start)")
    print(f"main_import_median_s={app_median:.4f}  (cold start of a bm_api instance: import main with FUNCTION_TARGET=bm_api, "
          "Manager.init, config validated, routes listed)")
    print(f"ratio={app_median / sdk_median:.3f}")


if __name__ == "__main__":
    main()
