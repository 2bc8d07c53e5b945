"""GET payments/discount?code=X: ``{valid, code, percent, duration}`` from config discounts."""

from functions.payments.intent import discount_answer


def main(config, settings):
    return discount_answer(config, settings.code)
