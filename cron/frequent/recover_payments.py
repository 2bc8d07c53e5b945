"""recover-payments (every 10 minutes): webhooks and dispute alerts stuck in ``processing`` go back to ``pending``.

See functions/payments/recovery.py.
"""


def main(db, now):
    from functions.payments.recovery import recover_stuck_disputes, recover_stuck_webhooks

    return {**recover_stuck_webhooks(db, now), "disputes": recover_stuck_disputes(db, now)}
