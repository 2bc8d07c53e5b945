"""reCAPTCHA check for ``POST payments/intent`` (BEM ``libraries/recaptcha.js``).

The client sends ``verification: {"g-recaptcha-response": token}``; the token is checked with
Google's ``siteverify`` endpoint (``RECAPTCHA_VERIFY_URL`` overrides it, for the fake in tests).
Skipped when ``RECAPTCHA_SECRET_KEY`` is not set, and in the testing environment unless
``TEST_EXTENDED_MODE`` (as BEM skips it while testing). A missing or failed token (or a v3 score
under 0.5) is a 403; Google unreachable is a 503 (try again), never a silent pass.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from functions import environment as env
from functions.config.secrets import secret
from functions.errors import Forbidden, ServiceUnavailable

SITEVERIFY_URL = "https://www.google.com/recaptcha/api/siteverify"
MIN_SCORE = 0.5
TIMEOUT_SECONDS = 10
log = logging.getLogger("bem.payments.recaptcha")


def recaptcha_required(environment: str) -> bool:
    return bool(secret("RECAPTCHA_SECRET_KEY")) and (environment != "testing" or env.is_extended_testing())


def verify_recaptcha(environment: str, verification: Any, ip: str | None = None) -> None:
    """Raise 403 unless the token in ``verification['g-recaptcha-response']`` passes (when required)."""
    if not recaptcha_required(environment):
        return
    token = verification.get("g-recaptcha-response") if isinstance(verification, dict) else None
    if not isinstance(token, str) or not token.strip():
        raise Forbidden("Request could not be verified (verification.g-recaptcha-response is missing)")
    import requests

    form = {"secret": secret("RECAPTCHA_SECRET_KEY"), "response": token, **({"remoteip": ip} if ip else {})}
    try:
        response = requests.post(os.environ.get("RECAPTCHA_VERIFY_URL", SITEVERIFY_URL), data=form, timeout=TIMEOUT_SECONDS)
        answer = response.json() if response.status_code == 200 else {}
    except (requests.RequestException, ValueError) as error:
        log.warning("reCAPTCHA siteverify unreachable: %s", type(error).__name__)
        raise ServiceUnavailable("The request could not be verified right now; try again shortly") from None
    if response.status_code != 200:
        raise ServiceUnavailable("The request could not be verified right now; try again shortly")
    score = answer.get("score")
    if answer.get("success") is not True or (isinstance(score, (int, float)) and score < MIN_SCORE):
        log.info("reCAPTCHA refused: %s", answer.get("error-codes"))
        raise Forbidden("Request could not be verified")
