"""Structured logging: Cloud Logging JSON lines in production, readable lines locally.

Cloud Functions reads JSON written to stdout as structured entries (``severity``,
``message``, labels), so production needs no logging client at import time.
Every line passes through ``redact``: values of known secrets never reach a log, nor do
credentials that BEM clients send in URLs or bodies (``backendManagerKey``, ``apiKey``,
``authenticationToken``, the webhook ``key``, ``privateKey``). ``redact_url`` is the same
for one URL, for access logs (``mgr serve``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from typing import Any

from functions.config.secrets import NAMES as SECRET_NAMES

_SEVERITY = {"DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "WARNING", "ERROR": "ERROR", "CRITICAL": "CRITICAL"}


URL_SECRET_KEYS = ("backendManagerKey", "apiKey", "authenticationToken", "key", "privateKey")
"""Query/body keys whose values are credentials (accepted where BEM clients send them)."""
REDACTED = "[redacted]"
_KEYS = "|".join(URL_SECRET_KEYS)
_IN_QUERY = re.compile(rf"(?<![A-Za-z0-9_])({_KEYS})=[^&\s\"'#]*")
_IN_JSON = re.compile(rf"([\"']({_KEYS})[\"']\s*:\s*)[\"'][^\"']*[\"']")


def redact(text: str) -> str:
    """``text`` without secret values: configured secrets by name, credentials in URLs/JSON."""
    for name in SECRET_NAMES:
        value = os.environ.get(name)
        if value and len(value) >= 6 and value in text:
            text = text.replace(value, f"[{name}]")
    if "=" in text:
        text = _IN_QUERY.sub(rf"\1={REDACTED}", text)
    if ":" in text:
        text = _IN_JSON.sub(rf'\1"{REDACTED}"', text)
    return text


def redact_url(url: str) -> str:
    """``/bm_api/x?apiKey=abc&a=1`` → ``/bm_api/x?apiKey=[redacted]&a=1`` (for access log lines)."""
    return _IN_QUERY.sub(rf"\1={REDACTED}", url) if "=" in url else url


class _CloudJsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": _SEVERITY.get(record.levelname, "DEFAULT"),
            "message": redact(record.getMessage()),
            "logger": record.name,
        }
        tag = getattr(record, "tag", None)
        if tag:
            entry["logging.googleapis.com/labels"] = {"tag": tag}
        if record.exc_info:
            entry["stack_trace"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


class _ReadableFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        tag = getattr(record, "tag", None)
        prefix = f"[{tag}] " if tag else ""
        line = f"{record.levelname:<7} {prefix}{record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return redact(line)


def configure(environment: str) -> logging.Logger:
    logger = logging.getLogger("bem")
    if getattr(logger, "_bem_configured", False):
        return logger
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_CloudJsonFormatter() if environment == "production" else _ReadableFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if os.environ.get("BEM_DEBUG") else logging.INFO)
    logger.propagate = environment == "testing"
    logger._bem_configured = True  # type: ignore[attr-defined]
    return logger


class TaggedLogger(logging.LoggerAdapter):
    """A logger that labels each line with the request or event tag."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        kwargs.setdefault("extra", {})["tag"] = self.extra.get("tag") if self.extra else None
        return msg, kwargs


def get_logger(tag: str | None = None) -> TaggedLogger:
    return TaggedLogger(logging.getLogger("bem"), {"tag": tag})
