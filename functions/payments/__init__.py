"""Payments: processors (Stripe, test), webhook intake, the on-write pipeline, transitions.

Flow: ``POST payments/webhook`` (``intake.receive_webhook``) verifies and records
``payments-webhooks/{eventId}`` as ``pending``; the Firestore trigger
``bm_paymentsWebhookOnWrite`` (``cloud.py``) runs ``pipeline.process_webhook_event``, which
turns the processor's latest object into the unified subscription / one-time order and
dispatches transition handlers (``transitions.py``). See docs/payments.md.

Shared pieces for routes:
- ``stripe_api.stripe_client(manager)``      a configured ``stripe.StripeClient``
- ``products.resolve_product(config, processor_product_id)``
- ``order_id.new_order_id()``                 ``XXXX-XXXX-XXXX``
- ``processors.get_processor(name)``          the processor object (BadRequest if unknown)
"""
