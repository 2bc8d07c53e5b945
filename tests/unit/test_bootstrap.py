"""main.py: importing it registers the functions offline and pulls in no heavy SDK."""

import json
import subprocess
import sys

PROBE = """
import json, sys
import main
heavy = [m for m in ("stripe", "openai", "anthropic", "google.cloud.logging", "google.cloud.firestore") if m in sys.modules]
exports = {name: fn.__firebase_endpoint__ for name, fn in vars(main).items() if hasattr(fn, "__firebase_endpoint__")}
print(json.dumps({"heavy": heavy, "names": sorted(exports),
                  "api": {"region": exports["bm_api"].region, "timeout": exports["bm_api"].timeoutSeconds,
                          "memory": exports["bm_api"].availableMemoryMb, "https": exports["bm_api"].httpsTrigger is not None}}))
"""


def _probe(bem_root, env_extra=None):
    env = {"PATH": "/usr/bin:/bin", "BEM_FIRESTORE": "memory", "HOME": str(bem_root), **(env_extra or {})}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=bem_root, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_registers_bm_api_without_heavy_sdks(bem_root):
    result = _probe(bem_root)
    assert result["heavy"] == []
    assert "bm_api" in result["names"]
    assert result["api"] == {"region": ["us-central1"], "timeout": 300, "memory": 256, "https": True}
