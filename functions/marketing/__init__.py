"""Marketing contacts and campaigns (BEM ``libraries/email/marketing``): ``manager.marketing``.

    manager.marketing.add("ann@example.com", first_name="Ann", source="footer")
    manager.marketing.sync(uid)                 # every BEM field, from users/{uid}
    manager.marketing.sync_many(user_docs)      # in batches of 1,000 (one call per provider per batch)
    manager.marketing.sync_all()                # every user document, the same way
    manager.marketing.remove("ann@example.com")
    manager.marketing.send_campaign(settings, idempotency_key=f"campaign:{id}:{occurrence}")

Providers are named as in BEM's config and answers: ``campaigns`` (SendGrid Marketing) and
``newsletter`` (Beehiiv); ``sendgrid``/``beehiiv`` are accepted as aliases. Which ones run, and what
happens without a key: ``functions/marketing/providers/__init__.py``.

Consent gate (BEM): ``add`` and ``sync`` refuse a user whose ``consent.marketing.status`` is the
string ``revoked`` (``{success: false, blocked: 'consent'}``); a missing or other status proceeds
(legacy users have none). ``remove`` is never gated. Address checks (``validation.py``) run before
any provider is called (``blocked: 'validation'``). Provider failures never raise: each provider's
answer says ``success: false`` with SendGrid's or Beehiiv's reason, and is logged.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from functions.marketing.providers import NAMES, Contact, canonical, choose, enabled
from functions.marketing.validation import AddressCheck, validate_address

log = logging.getLogger("bem.marketing")

__all__ = ["SYNC_BATCH", "AddressCheck", "Marketing", "is_marketing_revoked", "validate_address"]

SYNC_BATCH = 1000  # contacts per provider call in sync_many (BEM's batch size; SendGrid takes up to 30,000)
SENDS = "marketing-sends"  # the campaign ledger: one document per idempotency key


def is_marketing_revoked(user_doc: Any) -> bool:
    """BEM's gate: true only for ``consent.marketing.status == 'revoked'``."""
    from functions.marketing.fields import get_path

    return isinstance(user_doc, dict) and get_path(user_doc, "consent.marketing.status") == "revoked"


class Marketing:
    """The marketing library bound to one Manager (``manager.marketing``)."""

    def __init__(self, manager: Any) -> None:
        self.manager = manager

    # providers -----------------------------------------------------------------------------------
    def enabled_providers(self) -> list[str]:
        """The providers the config enables (``campaigns``, ``newsletter``), key or not."""
        return [name for name in NAMES if enabled(self.manager, name)]

    def _providers(self, wanted: Iterable[str] | None) -> dict[str, Any]:
        names = self.enabled_providers()
        if wanted is not None:
            chosen = [canonical(name) for name in wanted]
            names = [name for name in names if name in chosen]
        return {name: choose(self.manager, name) for name in names}

    def _each(self, providers: dict[str, Any], action: str, call: Any) -> dict[str, dict]:
        """Run ``call(provider)`` for every provider (in parallel when two); never raises."""
        def run(item: tuple[str, Any]) -> tuple[str, dict]:
            name, provider = item
            try:
                result = call(provider)
            except Exception as error:  # a provider bug must not break sign-up, payments or a route
                log.exception("marketing %s through %s failed", action, name)
                result = {"success": False, "error": f"{type(error).__name__}: {error}"[:500]}
            if not result.get("success"):
                log.warning("marketing %s through %s failed: %s", action, name, result.get("error"))
            return name, result

        items = list(providers.items())
        if len(items) < 2:
            return dict(map(run, items))
        with ThreadPoolExecutor(max_workers=len(items), thread_name_prefix="marketing") as pool:
            return dict(pool.map(run, items))

    @staticmethod
    def _answer(results: dict[str, dict], **extra: Any) -> dict:
        return {"success": all(r.get("success") for r in results.values()), "providers": results, **extra}

    def check_address(self, email: str, *, check_mailbox: bool = False) -> AddressCheck:
        """``validate_address`` with the config's extra disposable domains (``auth.disposableDomains``)."""
        return validate_address(email, check_mailbox=check_mailbox, extra_disposable=self.manager.config.auth.disposable_domains)

    # contacts ----------------------------------------------------------------------------------
    def add(self, email: str, *, first_name: str | None = None, last_name: str | None = None, source: str | None = None,
            uid: str | None = None, skip_validation: bool = False, providers: list[str] | None = None,
            company: str | None = None) -> dict:
        """Add (or update) one contact with its name; BEM's ``add`` (newsletter sign-ups, the contact route)."""
        email = (email or "").strip().lower() if isinstance(email, str) else ""
        if not email:
            log.warning("marketing add: no e-mail, nothing done")
            return {"success": False, "blocked": "email", "providers": {}}
        user = self._user_by_uid(uid) if uid else self._user_by_email(email)
        if is_marketing_revoked(user):
            log.info("marketing add refused: %s revoked marketing consent", _mask(email))
            return {"success": False, "blocked": "consent", "email": email, "providers": {}}
        if not skip_validation:
            check = self.check_address(email)
            if not check.valid:
                log.info("marketing add refused: %s failed the %s check", _mask(email), check.reason)
                return {"success": False, "blocked": "validation", "email": email, "validation": check.dump(), "providers": {}}
        contact = Contact(email=email, first_name=first_name or None, last_name=last_name or None, company=company or None,
                          source=source or None)
        return self._answer(self._each(self._providers(providers), "add", lambda p: p.upsert([contact])), email=email)

    def sync(self, uid_or_user: Any) -> dict:
        """Upsert one user with every BEM field (``fields.FIELDS``), from a uid or a user document."""
        user = self._user_by_uid(uid_or_user) if isinstance(uid_or_user, str) else uid_or_user
        if not isinstance(user, dict):
            log.warning("marketing sync: user %s not found, nothing done", uid_or_user if isinstance(uid_or_user, str) else "?")
            return {"success": False, "blocked": "not-found", "providers": {}}
        contact, blocked = self._contact(user)
        if contact is None:
            return {"success": False, **blocked, "providers": {}}
        return self._answer(self._each(self._providers(None), "sync", lambda p: p.upsert([contact])), email=contact.email)

    def sync_many(self, users: Iterable[dict], *, batch_size: int = SYNC_BATCH, providers: list[str] | None = None) -> dict:
        """Sync many users: each provider gets one call per ``batch_size`` contacts (BEM's batching)."""
        chosen = self._providers(providers)
        skipped: dict[str, int] = {}
        calls = dict.fromkeys(chosen, 0)
        failures: dict[str, list[str]] = {name: [] for name in chosen}
        synced = 0
        batch: list[Contact] = []

        def flush() -> None:
            nonlocal synced
            if not batch:
                return
            contacts = list(batch)
            batch.clear()
            results = self._each(chosen, f"sync of {len(contacts)} contacts", lambda p: p.upsert(contacts))
            for name, result in results.items():
                calls[name] += 1
                if not result.get("success"):
                    failures[name].append(str(result.get("error")))
            synced += len(contacts)

        for user in users:
            contact, blocked = self._contact(user)
            if contact is None:
                skipped[blocked["blocked"]] = skipped.get(blocked["blocked"], 0) + 1
                continue
            batch.append(contact)
            if len(batch) >= batch_size:
                flush()
        flush()
        log.info("marketing sync_many: %d contacts in %s calls, skipped %s", synced, calls, skipped or "none")
        return {"success": not any(failures.values()), "synced": synced, "skipped": skipped, "calls": calls,
                "errors": {name: errors for name, errors in failures.items() if errors}}

    def sync_all(self, *, batch_size: int = SYNC_BATCH) -> dict:
        """Every user in ``users`` (streamed), through ``sync_many``: one provider call per ``batch_size``."""
        users = (snapshot.to_dict() or {} for snapshot in self.manager.db.collection("users").stream())
        return self.sync_many(users, batch_size=batch_size)

    def remove(self, email: str, *, providers: list[str] | None = None) -> dict:
        """Remove a contact from every provider (never gated: honouring an unsubscribe always works)."""
        email = email.strip().lower() if isinstance(email, str) else ""
        if not email:
            log.warning("marketing remove: no e-mail, nothing done")
            return {"success": False, "blocked": "email", "providers": {}}
        return self._answer(self._each(self._providers(providers), "remove", lambda p: p.remove(email)), email=email)

    def _contact(self, user: dict) -> tuple[Contact | None, dict]:
        from functions.marketing.fields import get_path, resolve_field_values

        email = get_path(user, "auth.email")
        if not isinstance(email, str) or not email.strip():
            return None, {"blocked": "email"}
        email = email.strip().lower()
        if is_marketing_revoked(user):
            log.debug("marketing sync refused: %s revoked marketing consent", _mask(email))
            return None, {"blocked": "consent", "email": email}
        check = self.check_address(email)
        if not check.valid:
            return None, {"blocked": "validation", "email": email, "validation": check.dump()}
        first, last, source = (get_path(user, p) for p in ("personal.name.first", "personal.name.last",
                                                           "attribution.utm.tags.utm_source"))
        return Contact(email=email, first_name=first if isinstance(first, str) and first else None,
                       last_name=last if isinstance(last, str) and last else None,
                       source=source if isinstance(source, str) and source else None,
                       values=resolve_field_values(user, self.manager.config)), {}

    def _user_by_uid(self, uid: str) -> dict | None:
        try:
            snapshot = self.manager.db.collection("users").document(uid).get()
        except Exception:
            log.exception("marketing: users/%s unreadable", uid)
            return None
        data = snapshot.to_dict() if snapshot.exists else None
        return data if isinstance(data, dict) else None

    def _user_by_email(self, email: str) -> dict | None:
        """The user with this ``auth.email``; None when none or the lookup fails (fail open, as BEM)."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        try:
            query = self.manager.db.collection("users").where(filter=FieldFilter("auth.email", "==", email)).limit(1)
            found = next(iter(query.stream()), None)
        except Exception:
            log.exception("marketing: user lookup by e-mail failed (consent gate skipped)")
            return None
        data = found.to_dict() if found is not None else None
        return data if isinstance(data, dict) else None

    # campaigns -----------------------------------------------------------------------------------
    def send_campaign(self, settings: dict, *, idempotency_key: str) -> dict[str, dict]:
        """One SendGrid Single Send and/or one Beehiiv post for the whole audience (BEM ``sendCampaign``).

        Answers ``{provider: {success, id?, error?}}``. The same ``idempotency_key`` never sends twice
        through a provider that accepted it (its first answer is returned, ``duplicate: true``); a
        provider that failed is tried again. Bad settings raise ``CampaignInputError`` (400, names the field).
        """
        from functions.marketing.campaign import build_campaign

        campaign = build_campaign(self.manager, settings)
        wanted = settings.get("providers") if isinstance(settings.get("providers"), list) else None
        providers = self._providers(wanted)
        if not providers:
            log.warning("marketing campaign '%s': no provider enabled (marketing.campaigns/newsletter.enabled)", campaign.name)
            return {}
        ledger = SendLedger(self.manager.db, idempotency_key)
        todo, done = ledger.claim(list(providers))
        results = self._each({n: p for n, p in providers.items() if n in todo}, f"campaign '{campaign.name}'",
                             lambda p: p.send_campaign(campaign))
        ledger.complete(results)
        return {**done, **results}


class SendLedger:
    """``marketing-sends/{sha256(key)}``: per provider ``sending`` → its answer, claimed in a transaction."""

    def __init__(self, db: Any, key: str) -> None:
        if not isinstance(key, str) or not key:
            raise ValueError("send_campaign needs an idempotency_key")
        self.db, self.key = db, key
        self.ref = db.collection(SENDS).document(hashlib.sha256(key.encode()).hexdigest()[:32])

    def claim(self, names: list[str]) -> tuple[list[str], dict[str, dict]]:
        """(providers this call sends through, answers of the ones already sent or in flight)."""
        from google.cloud import firestore

        from functions.timestamps import stamp_now

        @firestore.transactional
        def apply(transaction: Any) -> tuple[list[str], dict[str, dict]]:
            snapshot = self.ref.get(transaction=transaction)
            current = (snapshot.to_dict() or {}) if snapshot.exists else {}
            results = current.get("providers") if isinstance(current.get("providers"), dict) else {}
            todo, done = [], {}
            for name in names:
                previous = results.get(name) if isinstance(results.get(name), dict) else None
                if previous and (previous.get("success") or previous.get("status") == "sending"):
                    done[name] = ({**previous, "duplicate": True} if previous.get("success") else
                                  {"success": False, "duplicate": True, "error": "a send with this idempotency key is in flight"})
                else:
                    todo.append(name)
            if todo:
                changes = {name: {"status": "sending"} for name in todo}
                transaction.set(self.ref, {"key": self.key, "providers": {**results, **changes},
                                           "created": current.get("created") or stamp_now(), "updated": stamp_now()})
            return todo, done

        return apply(self.db.transaction())

    def complete(self, results: dict[str, dict]) -> None:
        if not results:
            return
        from functions.timestamps import stamp_now

        try:
            self.ref.update({**{f"providers.{name}": result for name, result in results.items()}, "updated": stamp_now()})
        except Exception:
            log.exception("marketing campaign results not recorded in %s", self.ref.path)


def _mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:2]}***@{domain}"
