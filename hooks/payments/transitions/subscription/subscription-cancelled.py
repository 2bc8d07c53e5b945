"""Transition handler `subscription-cancelled`: the subscription ended.

Sends the default transition email (``functions.payments.emails``; NOT YET EMAIL: a placeholder that
records ``emails-outbox/{id}``). Replace ``main`` with your own ``def main(...)`` to customise; it runs
once per real transition, after the state is committed, and its exceptions are logged, never raised.
"""

from functions.payments.emails import transition_email_handler as main

__all__ = ["main"]
