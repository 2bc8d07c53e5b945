"""recover-payments (every 10 minutes): webhooks stuck in ``processing`` go back to ``pending``.

See functions/payments/recovery.py.
"""


def main(db, now):
    from functions.payments.recovery import recover_stuck_webhooks

    return recover_stuck_webhooks(db, now)
