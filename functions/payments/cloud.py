"""``bm_paymentsWebhookOnWrite``: the Firestore trigger that runs the payments pipeline.

Fires on every write of ``payments-webhooks/{eventId}`` and acts only when the document exists
with ``status: pending`` (intake's create, or a retry setting it back to pending). The claim in
``pipeline.process_webhook_event`` is conditional on the delivered snapshot's ``update_time``, so a
second delivery of the same trigger is a no-op (and the claim costs no read).

``bm_paymentsDisputeOnWrite`` does the same for ``payments-disputes/{alertId}``: a pending alert is
claimed once and resolved (``functions/payments/disputes/resolution.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def build(manager: Any) -> dict[str, Callable[..., Any]]:
    from firebase_functions import firestore_fn, options

    @firestore_fn.on_document_written(
        document="payments-webhooks/{eventId}",
        region=manager.options.region,
        memory=options.MemoryOption.MB_256,
        timeout_sec=60,
    )
    def bm_paymentsWebhookOnWrite(event: Any) -> None:  # noqa: N802 - BEM's exported name
        after = event.data.after if event.data is not None else None
        if after is None or not after.exists or (after.to_dict() or {}).get("status") != "pending":
            return
        from functions.payments.pipeline import process_webhook_event

        process_webhook_event(manager, event.params["eventId"], snapshot=after)

    @firestore_fn.on_document_written(
        document="payments-disputes/{alertId}",
        region=manager.options.region,
        memory=options.MemoryOption.MB_256,
        timeout_sec=60,
    )
    def bm_paymentsDisputeOnWrite(event: Any) -> None:  # noqa: N802 - BEM's exported name
        after = event.data.after if event.data is not None else None
        if after is None or not after.exists or (after.to_dict() or {}).get("status") != "pending":
            return
        from functions.payments.disputes.resolution import resolve_dispute

        resolve_dispute(manager, event.params["alertId"], snapshot=after)

    return {"bm_paymentsWebhookOnWrite": bm_paymentsWebhookOnWrite, "bm_paymentsDisputeOnWrite": bm_paymentsDisputeOnWrite}
