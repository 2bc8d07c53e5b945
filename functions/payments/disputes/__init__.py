"""Card disputes (BEM's Chargeblast integration): alert → ``payments-disputes/{alertId}`` → refund, cancel, e-mail.

- ``chargeblast.py``  the provider's payload → BEM's normalised alert (400 naming a bad field)
- ``intake.py``       ``POST payments/dispute-alert``: ``?key=``, provider, record once (duplicates
                      ignored, a ``failed`` alert retried), race-safe
- ``matching.py``     the Stripe charge: by id, else amount ±2 days + card last4 (Stripe only, as BEM)
- ``resolution.py``   ``bm_paymentsDisputeOnWrite``: claim once, match, refund (key
                      ``dispute:{alertId}:refund``), cancel now, e-mail, record the outcome
- ``notice.py``       the e-mail to the brand, once per alert
The processor's part (refund one charge, cancel now) is ``processors.base.DisputeActions``.
"""
