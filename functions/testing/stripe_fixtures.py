"""pytest fixtures for Stripe (loaded by the ``bem`` plugin): the fake API server and signing.

- ``stripe_fake``: one ``StripeFake`` per session (ephemeral port), reset for every test; sets
  ``STRIPE_API_BASE`` to it, ``STRIPE_SECRET_KEY=sk_test_fake``, ``STRIPE_WEBHOOK_SECRET=whsec_test``
  and ``STRIPE_MAX_NETWORK_RETRIES=1``. Depends on ``manager`` so these win over the unit env.
- ``signed_stripe_event``: ``sign(event, secret=..., timestamp=...) -> (body: bytes, headers)`` with
  stripe-python's own ``WebhookSignature.generate_signature_header``. Post it with
  ``bm.post("payments/webhook", data=body, headers=headers, query={"processor": "stripe"})``.
This is the only way Stripe is faked: at HTTP, never by patching the SDK.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from functions.testing.stripe_fake import StripeFake

STRIPE_TEST_SECRET_KEY = "sk_test_fake"
STRIPE_TEST_WEBHOOK_SECRET = "whsec_test"


@pytest.fixture(scope="session")
def _stripe_fake_server() -> Iterator[StripeFake]:
    # the emulator tier's functions reach the fake at the fixed port ``mgr test`` gives them
    fake = StripeFake(port=int(os.environ.get("BEM_STRIPE_FAKE_PORT", "0"))).start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_fake(_stripe_fake_server: StripeFake, manager: Any, monkeypatch: pytest.MonkeyPatch) -> StripeFake:
    from functions.payments.processors.stripe.actions import forget_portal_configurations

    _stripe_fake_server.reset()
    forget_portal_configurations()  # a fresh fake account has none of the ids cached before
    monkeypatch.setenv("STRIPE_API_BASE", _stripe_fake_server.url)
    monkeypatch.setenv("STRIPE_SECRET_KEY", STRIPE_TEST_SECRET_KEY)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", STRIPE_TEST_WEBHOOK_SECRET)
    monkeypatch.setenv("STRIPE_MAX_NETWORK_RETRIES", "1")
    return _stripe_fake_server


def sign_stripe_payload(event: dict | bytes | str, secret: str = STRIPE_TEST_WEBHOOK_SECRET,
                        timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    import stripe

    payload = event if isinstance(event, (bytes, str)) else json.dumps(event)
    text = payload.decode() if isinstance(payload, bytes) else payload
    header = stripe.WebhookSignature.generate_signature_header(text, secret, timestamp=timestamp)
    return text.encode(), {"Stripe-Signature": header, "Content-Type": "application/json"}


@pytest.fixture
def signed_stripe_event() -> Callable[..., tuple[bytes, dict[str, str]]]:
    return sign_stripe_payload


__all__ = ["_stripe_fake_server", "sign_stripe_payload", "signed_stripe_event", "stripe_fake"]
