"""GET /brand: the public config BEM answers, ``{brand, github, oauth2, payment, firebaseConfig, reviews}``.

Secrets and discount codes are left out (``functions/config/public.py``).
"""

from functions.api import RouteOptions
from functions.config.public import public_config

OPTIONS = RouteOptions(authenticate=False, setup_usage=False, setup_settings=False)


def main(config):
    return public_config(config)
