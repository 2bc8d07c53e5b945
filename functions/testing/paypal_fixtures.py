"""pytest fixtures for PayPal (loaded by the ``bem`` plugin): the fake REST API server.

- ``paypal_fake``: one ``PayPalFake`` per session (ephemeral port; the emulator tier's functions reach
  it at ``BEM_PAYPAL_FAKE_PORT``), reset for every test together with the client's cached tokens and
  plans; sets ``PAYPAL_API_BASE`` to it, its client id/secret, ``PAYPAL_WEBHOOK_ID`` and
  ``PAYPAL_MAX_NETWORK_RETRIES=1``. Depends on ``manager`` so these win over the unit env.
  Deliver a signed event: ``body, headers = paypal_fake.signed(paypal_fake.event(type, resource))``, then
  ``bm.post("payments/webhook", data=body, headers=headers, query={"processor": "paypal"})``.
This is the only way PayPal is faked: at HTTP, never by patching the client.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from functions.testing.paypal_fake import CLIENT_ID, CLIENT_SECRET, WEBHOOK_ID, PayPalFake


@pytest.fixture(scope="session")
def _paypal_fake_server() -> Iterator[PayPalFake]:
    fake = PayPalFake(port=int(os.environ.get("BEM_PAYPAL_FAKE_PORT", "0"))).start()
    yield fake
    fake.stop()


@pytest.fixture
def paypal_fake(_paypal_fake_server: PayPalFake, manager: Any, monkeypatch: pytest.MonkeyPatch) -> PayPalFake:
    from functions.payments.processors.paypal.api import forget_tokens
    from functions.payments.processors.paypal.webhook import forget_plans

    _paypal_fake_server.reset()
    forget_tokens()
    forget_plans()
    monkeypatch.setenv("PAYPAL_API_BASE", _paypal_fake_server.url)
    monkeypatch.setenv("PAYPAL_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("PAYPAL_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("PAYPAL_WEBHOOK_ID", WEBHOOK_ID)
    monkeypatch.setenv("PAYPAL_MAX_NETWORK_RETRIES", "1")
    return _paypal_fake_server


__all__ = ["_paypal_fake_server", "paypal_fake"]
