"""expire-paypal-cancellations (daily): PayPal cancellations whose paid period has ended → ``cancelled``.

PayPal sends nothing at period end; see functions/payments/processors/paypal/expiry.py.
"""


def main(manager, db, now):
    from functions.payments.processors.paypal.expiry import expire_paypal_cancellations

    return expire_paypal_cancellations(manager, db, now)
