"""Transition handler `payment-refunded`: a payment was refunded.

Sends the order e-mail of this transition (``functions.payments.emails``: template ``order``, sender
``orders``, once per webhook event through ``manager.email``). Replace ``main`` with your own ``def main(...)`` to customise; it runs
once per real transition, after the state is committed, and its exceptions are logged, never raised.
"""

from functions.payments.emails import transition_email_handler as main

__all__ = ["main"]
