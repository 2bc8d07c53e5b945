"""GET payments/discount?code=X: ``{valid, code, percent, duration}`` (BEM's built-in codes and config
``payment.discounts``); for a signed-in caller, also whether they may use it (BEM)."""

from functions.payments.intent import discount_answer


def main(manager, user, settings):
    if user.authenticated and user.uid:
        return discount_answer(manager, settings.code, user.uid, user.doc)
    return discount_answer(manager, settings.code)
