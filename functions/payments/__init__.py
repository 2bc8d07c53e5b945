"""Payments: intent, cancel, refund, portal, webhook intake, the on-write pipeline, transitions.

Processor-agnostic modules (never name a processor): ``intent``, ``cancel``, ``refund``, ``portal``,
``actions``, ``intake``, ``pipeline``, ``transitions``, ``unified``, ``frequencies``, ``collections``.
Each processor is one folder under ``processors/`` (one per name in ``processors/registry.py``) implementing
``processors.base.Processor``.

Flow: ``POST payments/webhook`` (``intake.receive_webhook``) verifies and records
``payments-webhooks/{eventId}`` as ``pending``; the Firestore trigger ``bm_paymentsWebhookOnWrite``
(``cloud.py``) runs ``pipeline.process_webhook_event``, which turns the processor's latest object into
the unified subscription / one-time order and dispatches transition handlers (``transitions.py``).
See docs/payments.md and docs/payments-routes.md.
"""
