"""The monthly marketing prune (BEM ``events/cron/daily/marketing-prune.js``), run by the daily cron on the 1st.

1. Re-engagement: one campaign to ``engagement_inactive_5m`` excluding ``engagement_inactive_6m``
   (sender ``hello``, sent now) through every enabled provider.
2. Prune (SendGrid Marketing with a key; needs ``brand.id``): a brand-scoped temporary segment of
   ``engagement_inactive_6m`` is exported, contacts who pay now (``subscription_paid``) or ever paid
   (``subscription_ever_paid``) are kept, the rest are deleted (100 ids per request) and removed from
   Beehiiv too. The temporary segments are always deleted.
The run is logged in ``marketing-prune-logs/{brandId}/runs/{YYYY-MM}`` (BEM's document: ``brandId``,
``date``, ``count``, ``emails``, ``skippedPaid``; plus ``status``, ``reengagement``, ``errors``). That
document is also the month's claim: a second run in the same month (a repeated trigger, a manual
``mgr cron``) finds it and does nothing; a run that died mid-way is taken over after an hour.
Off with ``marketing.prune.enabled: false``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from functions.marketing.providers import CAMPAIGNS, NEWSLETTER, choose, enabled, section

log = logging.getLogger("bem.marketing")

LOGS = "marketing-prune-logs"
STALE_RUN = dt.timedelta(hours=1)
INACTIVE, WARN, PAID, EVER_PAID = "engagement_inactive_6m", "engagement_inactive_5m", "subscription_paid", "subscription_ever_paid"


def reengagement_settings(brand_name: str) -> dict:
    return {
        "name": "Re-engagement: Are you still with us?",
        "subject": f"We miss you at {brand_name or 'our service'}!",
        "preheader": "Update your preferences or say goodbye",
        "sender": "hello",
        "segments": [WARN],
        "excludeSegments": [INACTIVE],
        "sendAt": "now",
        "data": {"content": {"title": "We miss you!", "message": "\n".join([
            "It's been a while since you've opened one of our emails. We want to make sure we're sending you content you actually want.",
            "",
            "**If you'd like to keep hearing from us**, simply open this email — no action needed!",
            "",
            "If we don't hear from you, we'll remove you from our mailing list next month to keep your inbox clean.",
            "",
            f"Thanks for being part of the {brand_name} community.",
        ])}},
    }


def run_prune(manager: Any, now: dt.datetime) -> dict:
    if now.day != 1:
        return {"skipped": "not the 1st of the month"}
    if section(manager, "prune").get("enabled") is False:
        log.info("marketing prune: disabled (marketing.prune.enabled)")
        return {"skipped": "disabled"}
    brand = manager.config.brand
    month = f"{now.year}-{now.month:02d}"
    ref = manager.db.collection(LOGS).document(brand.id or "unknown").collection("runs").document(month)
    if not _claim(manager.db, ref, brand.id, now):
        log.info("marketing prune: %s already ran for %s", month, brand.id)
        return {"skipped": "already ran this month", "month": month}
    summary: dict[str, Any] = {"brandId": brand.id, "date": now.isoformat(), "count": 0, "emails": [], "skippedPaid": 0,
                               "errors": []}
    try:
        summary["reengagement"] = _reengage(manager, brand.name, month, summary)
        _prune(manager, brand.id, summary)
    finally:
        summary["status"] = "completed"
        ref.set({**summary, "finished": now.isoformat()}, merge=True)
    log.info("marketing prune %s: %d contact(s) removed, %d paying kept, errors: %s", month, summary["count"],
             summary["skippedPaid"], summary["errors"] or "none")
    return {"month": month, "count": summary["count"], "skippedPaid": summary["skippedPaid"], "errors": summary["errors"],
            "reengagement": {name: bool(r.get("success")) for name, r in (summary.get("reengagement") or {}).items()}}


def _claim(db: Any, ref: Any, brand_id: str, now: dt.datetime) -> bool:
    from google.cloud import firestore

    @firestore.transactional
    def claim(transaction: Any) -> bool:
        snapshot = ref.get(transaction=transaction)
        current = snapshot.to_dict() if snapshot.exists else None
        if current:
            if current.get("status") == "completed":
                return False
            started = dt.datetime.fromisoformat(str(current.get("started") or now.isoformat()))
            if now - started < STALE_RUN:
                return False
        transaction.set(ref, {"brandId": brand_id, "status": "running", "started": now.isoformat()})
        return True

    return claim(db.transaction())


def _reengage(manager: Any, brand_name: str, month: str, summary: dict) -> dict:
    try:
        return manager.marketing.send_campaign(reengagement_settings(brand_name),
                                               idempotency_key=f"marketing-prune:{manager.config.brand.id}:{month}:reengage")
    except Exception as error:
        log.exception("marketing prune: re-engagement failed")
        summary["errors"].append(f"reengagement: {type(error).__name__}: {error}"[:300])
        return {}


def _prune(manager: Any, brand_id: str, summary: dict) -> None:
    from functions.marketing.providers import ProviderError

    if not brand_id:
        summary["errors"].append("brand.id is missing: nothing pruned (it would prune every brand)")
        return
    provider = choose(manager, CAMPAIGNS) if enabled(manager, CAMPAIGNS) else None
    client = getattr(provider, "client", None)
    if client is None or not hasattr(client, "export_segment"):
        log.info("marketing prune: SendGrid Marketing not configured, nothing pruned")
        summary["errors"].append("SendGrid Marketing not configured: nothing pruned")
        return
    temporary: list[str] = []
    try:
        ids = client.segment_ids()
        if INACTIVE not in ids:
            summary["errors"].append(f"segment {INACTIVE} not found in SendGrid")
            return
        inactive = _export_scoped(client, ids[INACTIVE], brand_id, temporary)
        keep: set[str] = set()
        for key in (PAID, EVER_PAID):
            if key in ids and inactive:
                keep |= {c["email"] for c in _export_scoped(client, ids[key], brand_id, temporary)}
        doomed = [c for c in inactive if c["email"] not in keep]
        summary["skippedPaid"] = len(inactive) - len(doomed)
        if not doomed:
            return
        deleted = client.delete_contacts([c["id"] for c in doomed if c.get("id")])
        if not deleted["success"]:
            summary["errors"].append(f"sendgrid delete: {deleted.get('error')}")
        emails = [c["email"] for c in doomed]
        summary["count"], summary["emails"] = len(emails), emails
        if enabled(manager, NEWSLETTER):
            for email in emails:
                result = manager.marketing.remove(email, providers=[NEWSLETTER])
                if not result["success"]:
                    summary["errors"].append(f"beehiiv {email}: {result['providers'].get(NEWSLETTER, {}).get('error')}"[:300])
    except ProviderError as error:
        log.error("marketing prune: SendGrid failed: %s", error)
        summary["errors"].append(str(error)[:300])
    finally:
        for segment_id in temporary:
            client.delete_segment(segment_id)


def _export_scoped(client: Any, segment_id: str, brand_id: str, temporary: list[str]) -> list[dict]:
    scoped = client.brand_scoped_segment([segment_id], brand_id)
    if scoped is None:
        return []
    temporary.append(scoped)
    return client.export_segment(scoped, max_wait=180.0)
