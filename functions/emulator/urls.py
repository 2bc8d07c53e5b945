"""Emulator ports (from firebase.json) and URLs, plus detection of a running suite."""

from __future__ import annotations

import json
import os
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PROJECT = "demo-bem"
DEFAULT_REGION = "us-central1"
DEFAULT_PORTS = {
    "hub": 4400,
    "auth": 9099,
    "firestore": 8080,
    "functions": 5001,
    "pubsub": 8085,
    "hosting": 5000,
    "ui": 4000,
    "database": 9000,
    "storage": 9199,
}


def read_ports(root: Path | None) -> dict[str, tuple[str, int]]:
    """``{emulator: (host, port)}`` from ``firebase.json`` ``emulators``, with defaults."""
    ports = {name: ("127.0.0.1", port) for name, port in DEFAULT_PORTS.items()}
    config_path = Path(root) / "firebase.json" if root else None
    if config_path and config_path.is_file():
        emulators = json.loads(config_path.read_text()).get("emulators", {})
        for name, cfg in emulators.items():
            if isinstance(cfg, dict) and "port" in cfg:
                ports[name] = (cfg.get("host", "127.0.0.1"), int(cfg["port"]))
    return ports


@dataclass(frozen=True)
class EmulatorUrls:
    project: str
    hub: str  # http://127.0.0.1:4400
    auth: str | None = None  # 127.0.0.1:9099 (as FIREBASE_AUTH_EMULATOR_HOST)
    firestore: str | None = None  # 127.0.0.1:8080 (as FIRESTORE_EMULATOR_HOST)
    functions: str | None = None  # http://127.0.0.1:5001/<project>/us-central1
    pubsub: str | None = None  # 127.0.0.1:8085 (as PUBSUB_EMULATOR_HOST)
    hosting: str | None = None  # http://127.0.0.1:5000 (BEM's URL scheme through the Hosting rewrites)
    ui: str | None = None  # http://127.0.0.1:4000 (the Emulator UI, when enabled)

    @classmethod
    def build(
        cls,
        project: str,
        ports: dict[str, tuple[str, int]],
        only: list[str],
        region: str = DEFAULT_REGION,
    ) -> EmulatorUrls:
        def hp(name: str) -> str | None:
            if name not in only or name not in ports:
                return None
            host, port = ports[name]
            return f"{host}:{port}"

        functions = hp("functions")
        return cls(
            project=project,
            hub="http://{}:{}".format(*ports["hub"]),
            auth=hp("auth"),
            firestore=hp("firestore"),
            functions=f"http://{functions}/{project}/{region}" if functions else None,
            pubsub=hp("pubsub"),
            hosting=f"http://{hp('hosting')}" if hp("hosting") else None,
            ui=f"http://{hp('ui')}" if hp("ui") else None,
        )

    def function_url(self, name: str, path: str = "") -> str:
        if self.functions is None:
            raise RuntimeError("the functions emulator is not running")
        return f"{self.functions}/{name}{path}"

    def api_bases(self) -> dict[str, str]:
        """``bm_api``'s base URL in its function form and, with Hosting, BEM's public form."""
        bases = {}
        if self.functions:
            bases["function"] = f"{self.functions}/bm_api/backend-manager"
        if self.hosting:
            bases["hosting"] = f"{self.hosting}/backend-manager"
        return bases

    def as_env(self) -> dict[str, str]:
        """Variables that point Firebase/Google SDKs at these emulators."""
        env = {"GCLOUD_PROJECT": self.project, "FIREBASE_EMULATOR_HUB": self.hub[7:]}
        if self.auth:
            env["FIREBASE_AUTH_EMULATOR_HOST"] = self.auth
        if self.firestore:
            env["FIRESTORE_EMULATOR_HOST"] = self.firestore
        if self.pubsub:
            env["PUBSUB_EMULATOR_HOST"] = self.pubsub
        return env

    def lines(self) -> list[tuple[str, str]]:
        rows = [("hub", self.hub)]
        for name in ("auth", "firestore", "functions", "pubsub", "hosting", "ui"):
            value = getattr(self, name)
            if value:
                rows.append((name, value))
        return rows


def _get_json(url: str, timeout: float) -> object | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return json.loads(resp.read().decode())
    except (OSError, ValueError):
        return None


def _hub_candidates(project: str, root: Path | None) -> list[str]:
    hubs: list[str] = []
    locator = Path(os.environ.get("TMPDIR") or tempfile.gettempdir()) / f"hub-{project}.json"
    try:
        data = json.loads(locator.read_text())
        hubs.append(f"http://{data['host']}:{data['port']}")
    except (OSError, ValueError, KeyError, TypeError):
        pass
    if os.environ.get("FIREBASE_EMULATOR_HUB"):
        hubs.append("http://" + os.environ["FIREBASE_EMULATOR_HUB"])
    hubs.append("http://{}:{}".format(*read_ports(root)["hub"]))
    return list(dict.fromkeys(hubs))


def detect_running(project: str = DEFAULT_PROJECT, root: Path | None = None, timeout: float = 1.0) -> EmulatorUrls | None:
    """URLs of an emulator suite already running for ``project``, else None.

    Asks the hub (found through firebase-tools' ``$TMPDIR/hub-<project>.json``
    locator or the configured hub port) for its running emulators.
    """
    for hub in _hub_candidates(project, root):
        mapping = _get_json(f"{hub}/emulators", timeout)
        if not isinstance(mapping, dict):
            continue
        ports = {
            name: (str(info.get("host", "127.0.0.1")), int(info["port"]))
            for name, info in mapping.items()
            if isinstance(info, dict) and "port" in info
        }
        host_port = hub.removeprefix("http://").rsplit(":", 1)
        ports["hub"] = (host_port[0], int(host_port[1]))
        return EmulatorUrls.build(project, ports, list(ports))
    return None
