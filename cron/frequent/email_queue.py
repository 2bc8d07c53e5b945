"""email-queue (every 10 minutes): send the due ``emails-queue`` items (functions/email/queue.py)."""


def main(manager, now):
    return manager.email.drain_queue(now).dump()
