"""The files a project on the framework must carry, in one place: what ``mgr init`` writes
and what ``mgr doctor`` checks (and ``--fix`` adds) after an upgrade.

firebase.json needs the functions source, the Firestore rules/indexes entries and BEM's
Hosting rewrites that send the API, MCP and OAuth paths to ``bm_api``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

# BEM's Hosting rewrites (templates/firebase.json): every path here is answered by bm_api.
HOSTING_REWRITE_SOURCES = (
    "/backend-manager", "/backend-manager/**", "/mcp", "/mcp/**",
    "/.well-known/oauth-protected-resource", "/.well-known/oauth-authorization-server",
    "/authorize", "/token", "/register",
)

FIRESTORE_ENTRY = {"rules": "firestore.rules", "indexes": "firestore.indexes.json"}


def new_firebase_json() -> dict[str, Any]:
    """firebase.json of a new project (``mgr init``): the framework's own (functions source and
    ignore list, Hosting, Firestore, emulator ports), with anything required that it lacks added."""
    from functions.builtins import framework_file

    return add_missing_entries(json.loads(framework_file("firebase.json").read_text()))[0]


def api_rewrite(sources: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """One rewrite sending ``sources`` to bm_api, written as BEM does (a brace glob)."""
    source = sources[0] if len(sources) == 1 else "{" + ",".join(sources) + "}"
    return {"source": source, "function": "bm_api"}


def _rewrite_function(rewrite: dict) -> str | None:
    target = rewrite.get("function")
    return target.get("functionId") if isinstance(target, dict) else target


def _expand(source: str) -> list[str]:
    """BEM writes one brace glob ``{/a,/b}``; Firebase accepts either form."""
    if source.startswith("{") and source.endswith("}"):
        return [part.strip() for part in source[1:-1].split(",")]
    return [source]


def missing_rewrites(firebase: dict) -> list[str]:
    """Hosting rewrite sources that do not reach bm_api."""
    hosting = firebase.get("hosting")
    sites = hosting if isinstance(hosting, list) else [hosting] if isinstance(hosting, dict) else []
    covered = {
        source
        for site in sites
        for rewrite in site.get("rewrites", []) if isinstance(rewrite, dict) and _rewrite_function(rewrite) == "bm_api"
        for source in _expand(str(rewrite.get("source", "")))
    }
    return [source for source in HOSTING_REWRITE_SOURCES if source not in covered]


def missing_firestore_entries(firebase: dict) -> list[str]:
    """``firestore.rules`` / ``firestore.indexes`` keys absent from firebase.json."""
    entry = firebase.get("firestore")
    entry = entry if isinstance(entry, dict) else {}
    return [f"firestore.{key}" for key in FIRESTORE_ENTRY if not entry.get(key)]


def add_missing_entries(firebase: dict) -> tuple[dict, list[str]]:
    """firebase.json with the missing Firestore entries and Hosting rewrites added (the project's own kept)."""
    fixed = copy.deepcopy(firebase)
    added: list[str] = []
    if not isinstance(fixed.get("firestore"), dict):
        fixed["firestore"] = {}
    entry = fixed["firestore"]
    for key, value in FIRESTORE_ENTRY.items():
        if not entry.get(key):
            entry[key] = value
            added.append(f"firestore.{key}")
    rewrites_missing = missing_rewrites(fixed)
    if rewrites_missing:
        hosting = fixed.get("hosting")
        site = hosting[0] if isinstance(hosting, list) and hosting else hosting if isinstance(hosting, dict) else None
        if site is None:
            site = fixed["hosting"] = {"public": "public", "ignore": ["firebase.json", "**/.*", "**/node_modules/**"]}
        site.setdefault("rewrites", [])
        # before any catch-all the site already has, so the API paths win
        site["rewrites"].insert(0, api_rewrite(rewrites_missing))
        added += [f"hosting rewrite {source}" for source in rewrites_missing]
    return fixed, added
