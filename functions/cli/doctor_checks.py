"""The checks ``mgr doctor`` runs on a project, each with a stable id, a fix hint and,
where the change is safe (only adds what is missing, keeps the project's own), a fix.

A check function takes the project root and returns its results; ``run_checks`` runs all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from functions.cli.project_files import add_missing_entries, missing_firestore_entries, missing_rewrites
from functions.indexes import merge_indexes

MIN_NODE_MAJOR = 20
# Secrets the framework itself needs (admin key, webhook key, uuid namespace); the others are service keys.
FRAMEWORK_SECRETS = ("BACKEND_MANAGER_KEY", "BACKEND_MANAGER_WEBHOOK_KEY", "BACKEND_MANAGER_NAMESPACE")


@dataclass
class Check:
    id: str
    level: str  # "ok" | "warn" | "error"
    message: str
    hint: str = ""
    fix: Callable[[], str] | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        return {"id": self.id, "level": self.level, "message": self.message, "hint": self.hint, "fixable": self.fix is not None}


def _read_json(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n")


def _command_version(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return (proc.stdout or proc.stderr).strip() or None


# ---------------------------------------------------------------- tools


def check_tools(root: Path) -> list[Check]:
    checks = []
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    checks.append(Check("python.version", "ok" if python == "3.11" else "error", f"Python {python}",
                        "" if python == "3.11" else "Cloud Functions run python311: recreate venv/ with python3.11"))
    node = _command_version(["node", "--version"])
    major = int(match.group(1)) if node and (match := re.match(r"v?(\d+)", node)) else None
    if major is None or major < MIN_NODE_MAJOR:
        checks.append(Check("node.version", "warn", f"Node.js {node or 'not found'}", f"install Node.js >= {MIN_NODE_MAJOR} for firebase-tools"))
    else:
        checks.append(Check("node.version", "ok", f"Node.js {node}"))
    from functions.emulator.java import ProvisionError, find_java

    try:
        java, java_major = find_java(install=False)
        checks.append(Check("java.version", "ok", f"Java {java_major} ({java})"))
    except ProvisionError as error:
        checks.append(Check("java.version", "warn", "no Java >= 21 for the Firestore emulator", str(error)))
    checks.append(_firebase_tools(root))
    return checks


def _firebase_tools(root: Path) -> Check:
    pinned = ((_read_json(root / "emulator" / "package.json") or {}).get("dependencies") or {}).get("firebase-tools")
    installed = (_read_json(root / "emulator" / "node_modules" / "firebase-tools" / "package.json") or {}).get("version")
    if pinned is None:
        return Check("firebase-tools.version", "warn", "emulator/package.json pins no firebase-tools",
                     "copy emulator/package.json + package-lock.json from the framework (`mgr init` writes them)")
    if installed != pinned:
        found = f"{installed} installed" if installed else "not installed"
        return Check("firebase-tools.version", "warn", f"firebase-tools {pinned} pinned, {found}",
                     "run `(cd emulator && npm ci)` or bin/setup")
    return Check("firebase-tools.version", "ok", f"firebase-tools {installed}")


# ---------------------------------------------------------------- config, secrets, project id


def check_config(root: Path) -> list[Check]:
    from functions.config import CONFIG_FILE, load_config
    from functions.errors import ConfigError

    try:
        config = load_config(root / CONFIG_FILE)
    except ConfigError as error:
        return [Check("config.valid", "error", str(error), f"fix {CONFIG_FILE} (docs/config.md)")]
    return [Check("config.valid", "ok", f"{CONFIG_FILE}: brand '{config.brand.id}', {len(config.payment.products)} product(s)")]


def check_secrets(root: Path) -> list[Check]:
    """Development secrets: the environment, then ``.env`` (production binds them at deploy)."""
    from dotenv import dotenv_values

    from functions.cli.setup_cmd import stripe_warnings
    from functions.config import secrets

    values = {**{k: v for k, v in dotenv_values(root / ".env").items() if v}, **{k: v for k, v in os.environ.items() if v}}
    registry = getattr(secrets, "BY_NAME", {})
    generated = getattr(secrets, "GENERATED", FRAMEWORK_SECRETS)
    checks = []
    for name in secrets.NAMES:
        entry = registry.get(name)
        if values.get(name):
            checks.append(Check(f"secrets.development.{name}", "ok", f"{name} is set"))
        elif name not in generated:
            without = f": {entry.without}" if entry is not None and entry.without else " (a service key; optional locally)"
            checks.append(Check(f"secrets.development.{name}", "ok", f"{name} not set{without}"))
        else:
            needed = f" (needed for {entry.needed_for})" if entry is not None else ""
            checks.append(Check(f"secrets.development.{name}", "warn", f"{name} is not set in .env or the environment{needed}",
                                "run `mgr setup` or set it in .env"))
    for number, warning in enumerate(stripe_warnings(values, "development")):
        checks.append(Check(f"secrets.development.stripe.{number}", "warn", warning, "use test keys locally"))
    return checks


def check_project_id(root: Path) -> list[Check]:
    from dotenv import dotenv_values

    ids = {}
    rc = _read_json(root / ".firebaserc") or {}
    if (rc.get("projects") or {}).get("default"):
        ids[".firebaserc projects.default"] = rc["projects"]["default"]
    config = _read_json(root / "backend-manager-config.json") or {}
    if (config.get("firebaseConfig") or {}).get("projectId"):
        ids["config firebaseConfig.projectId"] = config["firebaseConfig"]["projectId"]
    env = dotenv_values(root / ".env")
    for key in ("GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT"):
        if env.get(key):
            ids[f".env {key}"] = env[key]
    if not ids:
        return [Check("project.id", "warn", "no project id in .firebaserc", "run `firebase use --add` (writes .firebaserc)")]
    if len(set(ids.values())) > 1:
        detail = ", ".join(f"{where}={value}" for where, value in ids.items())
        return [Check("project.id", "error", f"project ids disagree: {detail}", "make them name the same Firebase project")]
    return [Check("project.id", "ok", f"project {next(iter(ids.values()))} ({', '.join(ids)})")]


# ---------------------------------------------------------------- firebase.json, rules, indexes


def check_firebase_json(root: Path) -> list[Check]:
    path = root / "firebase.json"
    firebase = _read_json(path)
    if firebase is None:
        return [Check("firebase.json", "error", "firebase.json is missing or not a JSON object",
                      "run `mgr init` in a new folder and copy its firebase.json")]

    def fix() -> str:
        fixed, added = add_missing_entries(_read_json(path) or {})
        _write_json(path, fixed)
        return f"firebase.json: added {', '.join(added)}"

    checks = []
    entries = missing_firestore_entries(firebase)
    checks.append(Check("firebase.firestore-entries", "error" if entries else "ok",
                        f"firebase.json lacks {', '.join(entries)}" if entries else "firebase.json deploys firestore.rules and indexes",
                        "add them (`mgr doctor --fix`)" if entries else "", fix if entries else None))
    rewrites = missing_rewrites(firebase)
    checks.append(Check("firebase.hosting-rewrites", "warn" if rewrites else "ok",
                        f"Hosting does not send {', '.join(rewrites)} to bm_api" if rewrites else "Hosting rewrites reach bm_api",
                        "add BEM's rewrites (`mgr doctor --fix`)" if rewrites else "", fix if rewrites else None))
    for key, default in (("rules", "firestore.rules"), ("indexes", "firestore.indexes.json")):
        name = ((firebase.get("firestore") or {}) if isinstance(firebase.get("firestore"), dict) else {}).get(key) or default
        exists = (root / name).is_file()
        checks.append(Check(f"firestore.{key}-file", "ok" if exists else "error", f"{name} {'exists' if exists else 'is missing'}",
                            "" if exists else f"create {name} (`mgr init` writes the framework's)"))
    return checks


def check_indexes(root: Path) -> list[Check]:
    path = root / "firestore.indexes.json"
    current = _read_json(path) or {}
    _, missing = merge_indexes(current)
    if not missing:
        return [Check("indexes.required", "ok", "firestore.indexes.json has every required index")]

    def fix() -> str:
        merged, added = merge_indexes(_read_json(path) or {})
        _write_json(path, merged)
        return f"firestore.indexes.json: {len(added)} required index(es) added"

    groups = ", ".join(sorted({index["collectionGroup"] for index in missing}))
    return [Check("indexes.required", "warn", f"{len(missing)} required index(es) missing ({groups})",
                  "run `mgr indexes` or `mgr doctor --fix`", fix)]


def check_campaign_seeds(root: Path) -> list[Check]:
    """BEM's recurring campaigns (``_recurring-newsletter``, the sales) exist with their enforced keys."""
    from functions.cli.campaign_seeding import check

    return check(root)


CHECKS = (check_tools, check_config, check_secrets, check_project_id, check_firebase_json, check_indexes, check_campaign_seeds)


def run_checks(root: Path, checks=CHECKS) -> list[Check]:
    return [result for check in checks for result in check(root)]
