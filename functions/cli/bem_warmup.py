"""Warm the functions emulator's auth-trigger workers before BEM's runner creates its accounts.

BEM's setup creates its 52 test accounts all at once and gives each account's on-create 15 s
(three attempts). The functions emulator starts one Python worker per concurrent event, so
that burst boots dozens of interpreters at once; on a small machine most miss the 15 s. Idle
workers are reused, so this first runs the same burst without a deadline (create ``count``
users, wait for their documents, delete them, wait for on-delete), leaving enough warm
on-create and on-delete workers for BEM's burst.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests

from functions.testing.auth_emulator import AuthEmulator

WARMUP_PREFIX = "_bem-warmup-"


def _document_exists(firestore_host: str, project: str, uid: str) -> bool:
    url = f"http://{firestore_host}/v1/projects/{project}/databases/(default)/documents/users/{uid}"
    return requests.get(url, headers={"Authorization": "Bearer owner"}, timeout=10).status_code == 200


STALL_S = 45.0


def _wait(check, uids: list[str], want: bool, deadline: float) -> list[str]:
    """Poll until ``check(uid) == want`` for every uid, until the deadline, or until nothing has
    changed for ``STALL_S`` (the emulator drops an event now and then; the warm workers are what
    matters). Returns the uids that never got there."""
    pending = list(uids)
    last_progress = time.monotonic()
    while pending and time.monotonic() < deadline and time.monotonic() - last_progress < STALL_S:
        still = [uid for uid in pending if check(uid) != want]
        if len(still) < len(pending):
            last_progress = time.monotonic()
        pending = still
        if pending:
            time.sleep(2)
    return pending


def warm_auth_triggers(project: str, auth_host: str = "127.0.0.1:9099", firestore_host: str = "127.0.0.1:8080",
                       count: int = 52, timeout: float = 600.0) -> str:
    """Create and delete ``count`` users at once and wait for their triggers; returns a summary line."""
    started = time.monotonic()
    deadline = started + timeout
    uids = [f"{WARMUP_PREFIX}{i}" for i in range(count)]

    def create(uid: str) -> None:
        try:
            AuthEmulator(auth_host, project).create_user_admin(f"{uid}@bem-warmup.test", uid=uid)
        except Exception:  # a slow or refused call only means one warm worker fewer
            pass

    def delete(uid: str) -> None:
        try:
            AuthEmulator(auth_host, project).delete_user(uid)
        except Exception:
            pass

    def exists(uid: str) -> bool:
        try:
            return _document_exists(firestore_host, project, uid)
        except requests.RequestException:
            return False

    with ThreadPoolExecutor(count) as pool:
        list(pool.map(create, uids))
    not_created = _wait(exists, uids, True, deadline)
    created_at = time.monotonic() - started
    with ThreadPoolExecutor(count) as pool:
        list(pool.map(delete, uids))
    not_deleted = _wait(exists, uids, False, deadline)
    return (f"bem: warmed the auth-trigger workers ({count} users: on-create {created_at:.0f} s, "
            f"on-delete {time.monotonic() - started - created_at:.0f} s; {len(not_created)} never created, "
            f"{len(not_deleted)} never deleted)")
