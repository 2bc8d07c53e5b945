"""The usage meter of one caller: ``validate``, ``increment``, ``set``, ``update``, ``consume``.

Counters live in ``users/{uid}.usage.{metric}`` for users and in ``usage/{ip}.{metric}``
for anonymous callers (BEM's layout). Every write re-reads the stored counters, adds what
this request counted, re-checks the limits of the metrics that were validated and writes
only if the document is still the version it read (retrying otherwise), so concurrent
requests by one caller can neither pass a limit nor lose a count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Literal

from functions.errors import NotFound
from functions.timestamps import Stamp, utcnow
from functions.usage import limits
from functions.usage.contention import key_lock, with_backoff
from functions.usage.counters import ACTIVE_FIELD, COUNTERS, blank_metric, day_key, effective_metrics, metric_of, month_key

if TYPE_CHECKING:
    from functions.config.models import Product
    from functions.manager import Manager

Storage = Literal["user", "ip"] | None
IP_COLLECTION = "usage"


def _top_level_fields(document: dict[str, Any]) -> dict[str, Any]:
    """``document``'s keys as quoted field paths, so ``update`` replaces each key's whole value
    and a metric name with a dot stays one field."""
    from google.cloud.firestore_v1.field_path import FieldPath

    return {FieldPath(key).to_api_repr(): value for key, value in document.items()}


class Usage:
    """One caller's meter. Build it with ``for_request``, ``for_ip`` or ``for_user``."""

    def __init__(
        self,
        manager: Manager,
        *,
        storage: Storage,
        key: str | None,
        stored: dict[str, Any] | None = None,
        plan: str = "basic",
        api_key: str | None = None,
        whitelist_keys: Iterable[str] = (),
        clock: Callable[[], dt.datetime] | None = None,
        instance_lock: Callable[[str], AbstractContextManager] = key_lock,
    ) -> None:
        """``clock``: now (tests pass a fixed one). ``instance_lock(path)``: how this meter's writes queue
        behind other meters of the same document in this process (default: one lock per document); a meter
        built with ``lambda _path: contextlib.nullcontext()`` writes as another instance would, racing on
        the conditional write (tests of cross-instance races)."""
        self.manager = manager
        self.storage: Storage = storage
        self.key = key.replace("/", "_") if key else None
        self.plan = plan
        self.api_key = api_key
        self.whitelist_keys = {k for k in whitelist_keys if k}
        self.clock = clock or utcnow
        self.instance_lock = instance_lock
        self.mirrors: list[str] = []
        self._stored: dict[str, dict] | None = None
        if stored is not None or storage != "ip":
            self._stored = effective_metrics(stored, self.clock())
        self._reset_pending()

    # construction -----------------------------------------------------------------
    @classmethod
    def for_request(cls, manager: Manager, assistant: Any, **options: Any) -> Usage:
        """The caller's meter: the user when authenticated with a uid, else the client IP.

        An admin-key caller without a uid gets a meter with no storage: it counts in
        memory, passes every check and writes nothing.
        """
        user = assistant.user
        if user.authenticated and user.uid:
            return cls._for_doc(manager, user.uid, user.doc, **options)
        if user.authenticated:
            return cls(manager, storage=None, key=None, **options)
        return cls.for_ip(manager, assistant.ip, **options)

    @classmethod
    def for_ip(cls, manager: Manager, ip: str, **options: Any) -> Usage:
        """An anonymous caller's meter on ``usage/{ip}`` (plan ``basic``; read on first use)."""
        return cls(manager, storage="ip", key=ip or "unknown", **options)

    @classmethod
    def for_user(cls, manager: Manager, uid: str, **options: Any) -> Usage:
        usage = cls(manager, storage=None, key=None, **options)
        return usage.set_user(uid)

    @classmethod
    def _for_doc(cls, manager: Manager, uid: str, doc: Any, **options: Any) -> Usage:
        from functions.user import resolve_subscription

        stored = {name: metric.dump() for name, metric in doc.usage.items()}
        stored[ACTIVE_FIELD] = (doc.model_extra or {}).get(ACTIVE_FIELD)
        plan = resolve_subscription(doc).plan
        return cls(manager, storage="user", key=uid, stored=stored, plan=plan, api_key=doc.api.private_key, **options)

    # proxy usage ------------------------------------------------------------------
    def set_user(self, uid: str) -> Usage:
        """Bill another user from now on (reads ``users/{uid}``; 404 when it does not exist)."""
        doc = self.manager.users.get(uid)
        if doc is None:
            raise NotFound(f"User {uid} not found")
        other = Usage._for_doc(self.manager, uid, doc, clock=self.clock)
        self.storage, self.key, self.plan, self.api_key = "user", uid, other.plan, other.api_key
        self._stored = other._stored
        self._reset_pending()
        return self

    def set_mirrors(self, paths: Iterable[str]) -> Usage:
        self.mirrors = list(paths)
        return self

    def add_mirror(self, path: str) -> Usage:
        self.mirrors.append(path)
        return self

    def add_whitelist_keys(self, keys: str | Iterable[str]) -> Usage:
        self.whitelist_keys |= {keys} if isinstance(keys, str) else set(keys)
        return self

    # limits -----------------------------------------------------------------------
    @property
    def product(self) -> Product:
        payment = self.manager.config.payment
        return payment.product(self.plan) or payment.basic

    def limit(self, name: str) -> limits.Limit:
        return self.product.limit(name)

    @property
    def whitelisted(self) -> bool:
        if self.storage is None:
            return True
        return bool(self.whitelist_keys & {self.api_key, self.key})

    # counting ---------------------------------------------------------------------
    def get(self, name: str) -> dict[str, Any]:
        """The metric as this request sees it: stored counters plus what is pending."""
        stored = self._load().get(name, blank_metric())
        return self._apply(name, stored, self.clock())

    def validate(self, name: str) -> bool:
        """Raise 429 (or 403 without a limit) unless one more use fits; the write re-checks."""
        self._checked[name] = None
        if not self.whitelisted:
            metric = self._load().get(name, blank_metric())
            self._check(name, metric, self._increments.get(name, 0) + 1, self.clock())
        return True

    def increment(self, name: str, value: int = 1, id: str | None = None) -> Usage:
        self._increments[name] = self._increments.get(name, 0) + value
        self._last[name] = Stamp.at(self.clock()), id
        return self

    def set(self, name: str, value: int) -> Usage:
        """Overwrite the monthly count (BEM's ``set``); daily and total are kept."""
        self._sets[name] = value
        return self

    def consume(self, name: str, value: int = 1, id: str | None = None, *, daily_limit: int | None = None) -> dict:
        """Validate, increment and write in one conditional write. ``daily_limit`` replaces the plan's
        limits with a plain per-day count (sign-ups per IP)."""
        self._checked[name] = daily_limit
        self.increment(name, value, id)
        return self.update()

    def update(self) -> dict[str, dict]:
        """Write what was counted (and mirror it); returns the written metrics.

        Re-read the counters, add the pending increments, re-check the validated metrics and
        raise 429 without writing if another request got there first.
        """
        names = sorted(set(self._increments) | set(self._sets))
        if not names:
            return {}
        if self.storage is None:
            return {name: self.get(name) for name in names}
        try:
            written = self._commit(names)
        finally:
            self._reset_pending(keep_checked=True)
        return written

    def report(self) -> dict[str, dict]:
        """``{"current": {metric: {monthly, daily, total}}, "limits": {...}}`` for ``bm-properties``.

        Never reads: an anonymous meter that was not used reports only what it counted.
        """
        if self.storage is None:
            return {"current": {}, "limits": {}}
        product_limits = dict(self.product.limits)
        stored = self._stored or {}
        names = set(self._increments) | set(self._sets)
        if self._stored is not None:
            names |= set(stored) | set(product_limits)
        now = self.clock()
        current = {}
        for name in sorted(names):
            metric = self._apply(name, stored.get(name, blank_metric()), now)
            current[name] = {counter: metric[counter] for counter in COUNTERS}
        return {"current": current, "limits": product_limits}

    # internals --------------------------------------------------------------------
    def _reset_pending(self, keep_checked: bool = False) -> None:
        self._increments: dict[str, int] = {}
        self._sets: dict[str, int] = {}
        self._last: dict[str, tuple[Stamp, str | None]] = {}
        if not keep_checked:
            self._checked: dict[str, int | None] = {}

    def _ref(self, db: Any) -> Any:
        collection = "users" if self.storage == "user" else IP_COLLECTION
        return db.collection(collection).document(self.key)

    def _load(self) -> dict[str, dict]:
        if self._stored is None:
            snapshot = self._ref(self.manager.db).get()
            self._stored = self._metrics_in(snapshot.to_dict() if snapshot.exists else None, self.clock())
        return self._stored

    def _document(self, metrics: dict[str, dict], marker: dict) -> dict[str, Any]:
        """What the meter owns in the counter document: every metric (counters that rolled over
        written as 0) and the day/month marker."""
        if self.storage == "user":
            return {"usage": metrics, ACTIVE_FIELD: marker}
        return {**metrics, ACTIVE_FIELD: marker}

    def _metrics_in(self, document: dict | None, now: dt.datetime) -> dict[str, dict]:
        document = document or {}
        if self.storage == "user":
            document = {**(document.get("usage") or {}), ACTIVE_FIELD: document.get(ACTIVE_FIELD)}
        return effective_metrics(document, now)

    def _apply(self, name: str, stored: dict, now: dt.datetime) -> dict:
        metric = metric_of(stored)
        value = self._increments.get(name, 0)
        for counter in COUNTERS:
            metric[counter] += value
        if name in self._sets:
            metric["monthly"] = self._sets[name]
        if name in self._last:
            stamp, last_id = self._last[name]
            metric["last"] = {"id": last_id, "timestamp": stamp.timestamp, "timestampUNIX": stamp.timestamp_unix}
        return metric

    def _check(self, name: str, stored: dict, value: int, now: dt.datetime) -> None:
        daily_limit = self._checked.get(name)
        if daily_limit is not None:
            limits.check_daily_limit(name, limit=daily_limit, daily=stored["daily"], value=value, now=now)
            return
        limits.check(
            name, plan=self.plan, limit=self.limit(name), rate_limit=self.product.rate_limit,
            monthly=stored["monthly"], daily=stored["daily"], value=value, now=now,
        )

    def _commit(self, names: list[str]) -> dict[str, dict]:
        """Read, re-check, then write only if the document is still the version read.

        Optimistic concurrency (an update-time precondition, ``create`` for a new document)
        instead of a transaction: a transaction locks the document on read, and concurrent
        instances that read and then write it deadlock until Firestore aborts them. Here one
        writer of each round always wins; the losers re-read and re-check with backoff.
        """
        db = self.manager.db
        ref = self._ref(db)
        mirrors = [db.document(path) for path in self.mirrors]
        now = self.clock()

        def attempt() -> tuple[dict, dict]:
            snapshot = ref.get()
            stored = self._metrics_in(snapshot.to_dict() if snapshot.exists else None, now)
            changed = {}
            for name in names:
                metric = stored.get(name, blank_metric())
                value = self._increments.get(name, 0)
                if name in self._checked and value > 0 and not self.whitelisted:
                    self._check(name, metric, value, now)
                changed[name] = self._apply(name, metric, now)
            metrics = {**stored, **changed}
            document = self._document(metrics, {"day": day_key(now), "month": month_key(now)})
            batch = db.batch()
            if snapshot.exists:
                batch.update(ref, _top_level_fields(document), option=db.write_option(last_update_time=snapshot.update_time))
            else:
                batch.create(ref, document)
            for mirror in mirrors:
                batch.set(mirror, {"usage": metrics}, merge=True)
            batch.commit()
            return stored, changed

        with self.instance_lock(ref.path):
            stored, changed = with_backoff(attempt)
        self._stored = {**stored, **changed}
        return changed
