"""prune-notification-events (daily): delete ``notification-events`` ledger records older than 7 days.

They only make a redelivered ``bm_notificationsOnWrite`` event a no-op (functions/notifications/stats.py).
"""


def main(db, now):
    from functions.auth.prune import prune_auth_events
    from functions.notifications.stats import EVENTS_COLLECTION

    return prune_auth_events(db, now, collection=EVENTS_COLLECTION)
