"""GET payments/trial-eligibility[?productId=X]: ``{eligible}``.

Eligible when the user never had a subscription order and (with ``productId``) the product
offers a trial. An unknown or archived ``productId`` answers 400 naming it.
"""

from functions.api import RouteOptions
from functions.payments.intent import trial_eligibility

OPTIONS = RouteOptions(require="user")


def main(manager, user, settings):
    return trial_eligibility(manager, user.target_uid(None), settings.product_id)
