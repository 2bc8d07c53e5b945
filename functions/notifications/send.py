"""Send one push notification to FCM subscribers (BEM ``notification.send``).

Targets: one ``token``; else every ``notifications/{token}`` document matching ``tags``
(array-contains-any) and/or ``owner`` (==), read 500 at a time (``limit`` caps the total).
Each page is one ``messaging.send_each`` call. Tokens FCM answers as unregistered, or
rejects as not a valid registration token, are deleted. Answer:
``{subscribers, batches, sent, deleted}``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from functions.errors import ValidationError

log = logging.getLogger("bem.notifications")

COLLECTION = "notifications"
BATCH_SIZE = 500  # send_each's maximum


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    icon: str | None = None
    click_action: str | None = None


@dataclass(frozen=True)
class Targets:
    tags: list[str] = field(default_factory=list)
    owner: str | None = None
    token: str | None = None
    limit: int | None = None


def send(manager: Any, notice: Notice, targets: Targets) -> dict[str, int]:
    if not notice.title or not notice.body:
        missing = "notification.title" if not notice.title else "notification.body"
        raise ValidationError(f"Parameters <title> and <body> required ({missing} is missing)", field=missing)
    brand = manager.config.brand
    icon = notice.icon or (brand.images or {}).get("brandmark") or None
    link = with_cache_buster(notice.click_action or brand.url)
    result = {"subscribers": 0, "batches": 0, "sent": 0, "deleted": 0}
    pages = [[targets.token]] if targets.token else token_pages(manager.db, targets)
    for tokens in pages:
        result["subscribers"] += len(tokens)
        try:
            _send_batch(manager, tokens, notice, icon, link, result)
        except Exception:  # one failed batch must not stop the others (BEM logs and goes on)
            log.exception("notifications: batch %d of %d tokens failed", result["batches"], len(tokens))
    log.info("notifications: %s", result)
    return result


def with_cache_buster(url: str) -> str:
    """``url`` with ``cb=<ms>``; FCM's web link must be an absolute https URL."""
    parts = urlsplit(url or "")
    if parts.scheme != "https" or not parts.netloc:
        raise ValidationError("notification.clickAction must be an absolute https URL", field="notification.clickAction")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "cb"]
    query.append(("cb", str(int(time.time() * 1000))))
    return urlunsplit(parts._replace(query=urlencode(query)))


def token_pages(db: Any, targets: Targets) -> Iterator[list[str]]:
    """Pages of at most 500 tokens, ``limit`` tokens in all; one read per token."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = db.collection(COLLECTION)
    if targets.tags:
        query = query.where(filter=FieldFilter("tags", "array_contains_any", list(targets.tags)[:30]))
    if targets.owner:
        query = query.where(filter=FieldFilter("owner", "==", targets.owner))
    remaining = targets.limit if targets.limit else None
    last = None
    while remaining is None or remaining > 0:
        size = BATCH_SIZE if remaining is None else min(BATCH_SIZE, remaining)
        page = query.limit(size)  # Firestore orders by document name when no order is given
        if last is not None:
            page = page.start_after(last)
        snapshots = list(page.stream())
        if not snapshots:
            return
        last = snapshots[-1]
        tokens = [t for t in (_token_of(s) for s in snapshots) if t]
        if tokens:
            yield tokens
        if remaining is not None:
            remaining -= len(snapshots)
        if len(snapshots) < size:
            return


def _token_of(snapshot: Any) -> str | None:
    data = snapshot.to_dict() or {}
    token = data.get("token") if isinstance(data.get("token"), str) else snapshot.id
    return token or None


def _send_batch(manager: Any, tokens: list[str], notice: Notice, icon: str | None, link: str, result: dict) -> None:
    from firebase_admin import messaging

    from functions.notifications.fcm import messaging_app

    messages = [_message(messaging, token, notice, icon, link) for token in tokens]
    answer = messaging.send_each(messages, app=messaging_app(manager))
    result["batches"] += 1
    result["sent"] += answer.success_count
    stale = [token for token, response in zip(tokens, answer.responses, strict=True) if is_stale(response.exception)]
    for token in stale:
        try:
            manager.db.collection(COLLECTION).document(token).delete()
            result["deleted"] += 1
        except Exception:
            log.exception("notifications: could not delete a stale token")


def is_stale(error: BaseException | None) -> bool:
    """FCM says the token will never work: UNREGISTERED, or INVALID_ARGUMENT about the token
    (not about the payload, which would fail for every token alike)."""
    if error is None:
        return False
    from firebase_admin import exceptions, messaging

    if isinstance(error, messaging.UnregisteredError):
        return True
    return isinstance(error, exceptions.InvalidArgumentError) and "registration token" in str(error).lower()


def _message(messaging: Any, token: str, notice: Notice, icon: str | None, link: str) -> Any:
    data = {"click_action": link}
    return messaging.Message(
        token=token,
        notification=messaging.Notification(title=notice.title, body=notice.body, image=icon),
        webpush=messaging.WebpushConfig(
            notification=messaging.WebpushNotification(title=notice.title, body=notice.body, icon=icon,
                                                       custom_data={"click_action": link}),
            data=data,
            fcm_options=messaging.WebpushFCMOptions(link=link),
        ),
        data=data,
    )
