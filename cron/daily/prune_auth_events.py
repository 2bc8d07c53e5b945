"""prune-auth-events (daily): delete ``auth-events`` records older than 7 days.

See functions/auth/prune.py.
"""


def main(db, now):
    from functions.auth.prune import prune_auth_events

    return prune_auth_events(db, now)
