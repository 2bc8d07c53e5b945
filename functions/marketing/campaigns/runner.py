"""The frequent job (BEM ``events/cron/frequent/marketing-campaigns.js``), one campaign at a time.

``run``: reclaim expired leases, query due ``pending`` campaigns (``sendAt <= now``, 20 per run),
then ``process`` each: claim it (claim.py), run its generator, send it (dispatch.py), and write the
outcome in one batch (the campaign and, for recurring or generated ones, a history document):

- sent: a one-off becomes ``sent`` with ``results``; a recurring one gets a history document
  ``{settings, type, sendAt, status, results, recurringId}`` (``generatedFrom``, ``assets``, ``meta``
  for a generated issue) and goes back to ``pending`` at the next future occurrence;
- the generator yields nothing or raises: retried next run (``generatorAttempts``), at
  ``GENERATOR_MAX_ATTEMPTS`` (BEM: 36, ~6 hours) the occurrence is skipped (recurring) or the
  campaign ``failed`` (one-off);
- the providers fail: retried next run (``attempts``, same occurrence, same idempotency key) up to
  ``SEND_MAX_ATTEMPTS``, then recorded ``failed`` like BEM (a recurring one moves on); a failure a
  provider marks ``retry: false`` is final at once;
- unknown type or generator, or a stored recurrence that is not valid: ``failed`` (never retried).

Firestore per due campaign: the due query (1 read) and the claim transaction (1 read), then one
batched write. Never sent twice for one occurrence: the claim admits one runner, and the e-mail
idempotency key ``campaign:{id}:{sendAt}`` makes a retried or reclaimed occurrence a provider no-op.
A push occurrence is marked (``pushingOccurrence``) before FCM is called; if its run dies there, the
reclaimed occurrence is recorded failed rather than pushed again (FCM has no idempotency key).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from functions.email.errors import EmailInputError
from functions.errors import ValidationError
from functions.marketing.campaigns import claim, dispatch
from functions.marketing.campaigns import recurrence as recurrences
from functions.marketing.campaigns.model import COLLECTION, TYPES
from functions.timestamps import stamp_now

DUE_LIMIT = 20
GENERATOR_MAX_ATTEMPTS = 36  # BEM: at the 10-minute cadence, ~6 hours of retries
SEND_MAX_ATTEMPTS = 5  # provider failures (BEM marks them failed at once; the e-mail queue retries 5 times)
log = logging.getLogger("bem.marketing.campaigns")


@dataclass
class RunSummary:
    due: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    reclaimed: int = 0
    errors: list[str] = field(default_factory=list)

    def dump(self) -> dict:
        return {"due": self.due, "sent": self.sent, "failed": self.failed, "retried": self.retried,
                "skipped": self.skipped, "reclaimed": self.reclaimed, "errors": self.errors[:10]}


def run(manager: Any, now: dt.datetime) -> RunSummary:
    from google.cloud.firestore_v1.base_query import FieldFilter

    db, seconds, summary = manager.db, int(now.timestamp()), RunSummary()
    summary.reclaimed = len(claim.reclaim_expired(db, seconds))
    due = (db.collection(COLLECTION).where(filter=FieldFilter("status", "==", "pending"))
           .where(filter=FieldFilter("sendAt", "<=", seconds)).limit(DUE_LIMIT).get())
    summary.due = len(due)
    for snapshot in due:
        try:
            outcome = process(manager, snapshot.reference, now)
        except Exception as error:  # the lease brings it back after LEASE_SECONDS
            log.exception("marketing-campaigns: %s failed", snapshot.id)
            summary.errors.append(f"{snapshot.id}: {type(error).__name__}: {error}")
            continue
        setattr(summary, outcome.status, getattr(summary, outcome.status) + 1)
    return summary


@dataclass
class Outcome:
    status: str  # sent | failed | retried | skipped (claimed by another run, or an occurrence skipped)
    results: dict | None = None


def process(manager: Any, reference: Any, now: dt.datetime) -> Outcome:
    """Claim and send one due campaign (the job, and POST marketing/campaign for one due now)."""
    seconds = int(now.timestamp())
    data = claim.claim(manager.db, reference, seconds)
    if data is None:
        return Outcome("skipped")
    occurrence = _Occurrence(manager, reference, data, now)
    return Outcome(occurrence.run(), occurrence.results)


class _Occurrence:
    def __init__(self, manager: Any, reference: Any, data: dict, now: dt.datetime) -> None:
        self.manager, self.reference, self.data, self.now = manager, reference, data, now
        self.id, self.seconds = reference.id, int(now.timestamp())
        self.occurrence = claim.as_int(data.get("sendAt"))
        self.settings = data.get("settings") if isinstance(data.get("settings"), dict) else {}
        self.recurrence = data.get("recurrence")
        self.results: dict | None = None

    def run(self) -> str:
        kind, generator = self.data.get("type") or "email", self.data.get("generator")
        if kind not in TYPES:
            return self._fail(f'Unknown campaign type "{kind}"')
        if self.recurrence is not None:
            try:
                recurrences.validate(self.recurrence)
            except ValidationError as error:
                return self._fail(f"Invalid recurrence: {error.message}")
        settings, extras = self.settings, {}
        if generator:
            if not dispatch.generator_exists(generator):
                return self._fail(f'Unknown generator "{generator}"')
            try:
                overlay, extras = dispatch.generate(self.manager, {"id": self.id, **self.data}, self.now)
            except Exception as error:
                log.exception("marketing-campaigns: generator %s failed on %s", generator, self.id)
                return self._generator_failed(f"{type(error).__name__}: {error}")
            if overlay is None:
                return self._generator_failed(None)
            settings = {**settings, **overlay}
        missing = dispatch.missing_content(kind, settings)
        if missing:
            return self._fail(f"settings.{missing} is missing: nothing to send")
        if kind == "push" and self.data.get("pushingOccurrence") == self.occurrence:
            results = {"push": {"success": False, "retry": False,
                                "error": "an earlier run was interrupted while pushing this occurrence: not pushed again"}}
        else:
            if kind == "push":
                self._write({"pushingOccurrence": self.occurrence})
            try:
                results = dispatch.send(self.manager, self.id, self.data, settings, self.occurrence)
            except EmailInputError as error:  # the settings cannot be sent as they are: final
                results = {"error": {"success": False, "retry": False, "error": error.message}}
            except Exception as error:
                log.exception("marketing-campaigns: sending %s failed", self.id)
                results = {"error": {"success": False, "error": f"{type(error).__name__}: {error}"}}
        self.results = results
        if dispatch.succeeded(results):
            return self._finish("sent", settings, results, extras)
        attempts = claim.as_int(self.data.get("attempts")) + 1
        if _retryable(results) and attempts < SEND_MAX_ATTEMPTS:
            from google.cloud import firestore

            self._write({"status": "pending", "attempts": attempts, "results": results, "error": _first_error(results),
                         "pushingOccurrence": firestore.DELETE_FIELD})
            log.warning("marketing-campaigns: %s failed (attempt %d/%d), retrying next run", self.id, attempts, SEND_MAX_ATTEMPTS)
            return "retried"
        return self._finish("failed", settings, results, extras)

    # outcomes ------------------------------------------------------------
    def _finish(self, status: str, settings: dict, results: dict, extras: dict) -> str:
        from google.cloud import firestore

        batch = self.manager.db.batch()
        generated = bool(self.data.get("generator"))
        if self.recurrence is not None or generated:
            history = {"settings": settings, "type": self.data.get("type") or "email", "sendAt": self.occurrence,
                       "status": status, "results": results, "metadata": {"created": stamp_now(), "updated": stamp_now()}}
            if self.recurrence is not None:
                history["recurringId"] = self.id
            if generated:
                history.update(generatedFrom=self.id, assets=extras.get("assets"), meta=extras.get("meta"))
            if status == "failed":
                history["error"] = _first_error(results)
            batch.set(self.manager.db.collection(COLLECTION).document(f"{self.id}-{self.occurrence}"), history)
        update: dict[str, Any] = {"attempts": firestore.DELETE_FIELD, "generatorAttempts": firestore.DELETE_FIELD,
                                  "pushingOccurrence": firestore.DELETE_FIELD}
        if self.recurrence is not None:
            update.update(status="pending", sendAt=self._next())
        else:
            update.update(status=status, results=results)
        update["error"] = _first_error(results) if status == "failed" else firestore.DELETE_FIELD
        self._write(update, batch)
        log.info("marketing-campaigns: %s %s (occurrence %s)", self.id, status, self.occurrence)
        return status

    def _generator_failed(self, error: str | None) -> str:
        from google.cloud import firestore

        attempts = claim.as_int(self.data.get("generatorAttempts")) + 1
        reason = error or f'Generator "{self.data.get("generator")}" yielded no content'
        if attempts < GENERATOR_MAX_ATTEMPTS:
            self._write({"status": "pending", "generatorAttempts": attempts, "error": reason})
            return "retried"
        if self.recurrence is not None:  # skip this occurrence
            self._write({"status": "pending", "sendAt": self._next(), "generatorAttempts": firestore.DELETE_FIELD,
                         "error": f"{reason} after {attempts} attempts: occurrence {self.occurrence} skipped"})
            return "skipped"
        return self._fail(f"{reason} after {attempts} attempts")

    def _fail(self, reason: str) -> str:
        log.error("marketing-campaigns: %s failed: %s", self.id, reason)
        self._write({"status": "failed", "error": reason})
        return "failed"

    def _next(self) -> int:
        return recurrences.next_future_occurrence(self.occurrence, self.recurrence, self.seconds)

    def _write(self, update: dict, batch: Any = None) -> None:
        writes = batch or self.manager.db.batch()
        writes.update(self.reference, {**update, "metadata.updated": stamp_now()})
        writes.commit()


def _retryable(results: dict) -> bool:
    """Worth another run: some provider failed in a way that may pass (5xx, 429, timeout, unknown), not a 4xx."""
    failed = [r for r in results.values() if isinstance(r, dict) and not r.get("success")]
    return any(_transient(r) for r in failed) if failed else True


def _transient(result: dict) -> bool:
    if "retry" in result:
        return result["retry"] is True
    status = result.get("status")
    return not (isinstance(status, int) and 400 <= status < 500 and status != 429)


def _first_error(results: Any) -> str | None:
    if isinstance(results, dict):
        for provider, result in results.items():
            if isinstance(result, dict) and result.get("error"):
                return f"{provider}: {str(result['error'])[:500]}"
    return None
