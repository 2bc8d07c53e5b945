"""prune-emails (daily): delete e-mail records older than ``email.retentionDays`` (functions/email/prune.py)."""


def main(manager, db, now):
    from functions.email.prune import prune_emails

    return prune_emails(db, now, manager.config.email.retention_days)
