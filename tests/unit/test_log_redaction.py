"""Credentials sent in URLs or bodies (as BEM clients do) never reach a log line."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from functions.logs import _CloudJsonFormatter, _ReadableFormatter, redact, redact_url

SECRETS = ("adm1n-k3y", "pr1vate-key", "t0ken.jwt.sig", "wh00k-key")
URL = ("/bm_api/payments/webhook?processor=test&key=wh00k-key&backendManagerKey=adm1n-k3y"
       "&apiKey=pr1vate-key&authenticationToken=t0ken.jwt.sig&monkey=ok")


def test_redact_url_keeps_everything_but_the_credentials():
    assert redact_url(URL) == ("/bm_api/payments/webhook?processor=test&key=[redacted]&backendManagerKey=[redacted]"
                               "&apiKey=[redacted]&authenticationToken=[redacted]&monkey=ok")
    assert redact_url("/bm_api/user?uid=abc") == "/bm_api/user?uid=abc"


@pytest.mark.parametrize("formatter", [_ReadableFormatter(), _CloudJsonFormatter()], ids=["development", "production"])
def test_every_log_line_is_redacted(formatter):
    body = json.dumps({"backendManagerKey": "adm1n-k3y", "privateKey": "pr1vate-key", "name": "Ada"})
    try:
        raise ValueError(f"failed on {URL}")
    except ValueError:
        record = logging.LogRecord("bem", logging.ERROR, __file__, 1, "GET %s body %s", (URL, body), sys.exc_info())
    line = formatter.format(record)
    for secret in SECRETS:
        assert secret not in line
    assert "monkey=ok" in line and "Ada" in line


def test_redact_leaves_ordinary_text_alone():
    assert redact("primary key is 3; keyboard=qwerty") == "primary key is 3; keyboard=qwerty"
