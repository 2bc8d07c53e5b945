"""Transition handler `plan-changed`: the subscription moved to another product.

NOT YET EMAIL: sends through ``functions.payments.emails.send_transition_email`` (a placeholder
that logs "email not configured" and records ``emails-outbox/{id}``); the email issue fills it in.
Called once per real transition, after the state is committed; exceptions are logged, never raised.
"""

from functions.payments.emails import send_transition_email


def main(manager, transition, uid, after, event_id, order_id):
    send_transition_email(manager, template=transition, uid=uid, event_id=event_id, order_id=order_id,
                          data={"product": (after or {}).get("product")})
