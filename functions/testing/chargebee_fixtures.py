"""pytest fixtures for Chargebee (loaded by the ``bem`` plugin): the fake API server.

- ``chargebee_fake``: one ``ChargebeeFake`` per session (ephemeral port; the emulator tier's fixed
  ``BEM_CHARGEBEE_FAKE_PORT`` so the emulated functions reach it), reset for every test; sets
  ``CHARGEBEE_API_BASE`` to it, ``CHARGEBEE_API_KEY=cb_test_fake``, no SDK retries and a 0.5 s timeout.
  Depends on ``manager`` so these win over the unit env.
Post its events with ``bm.post("payments/webhook", json=event, query={"processor": "chargebee", "key": WEBHOOK_KEY})``.
This is the only way Chargebee is faked: at HTTP, the real SDK builds and sends every request.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from functions.testing.chargebee_fake import ChargebeeFake

CHARGEBEE_TEST_API_KEY = "cb_test_fake"


@pytest.fixture(scope="session")
def _chargebee_fake_server() -> Iterator[ChargebeeFake]:
    fake = ChargebeeFake(port=int(os.environ.get("BEM_CHARGEBEE_FAKE_PORT", "0"))).start()
    yield fake
    fake.stop()


@pytest.fixture
def chargebee_fake(_chargebee_fake_server: ChargebeeFake, manager: Any, monkeypatch: pytest.MonkeyPatch) -> ChargebeeFake:
    _chargebee_fake_server.reset()
    monkeypatch.setenv("CHARGEBEE_API_BASE", _chargebee_fake_server.url)
    monkeypatch.setenv("CHARGEBEE_API_KEY", CHARGEBEE_TEST_API_KEY)
    monkeypatch.setenv("CHARGEBEE_MAX_NETWORK_RETRIES", "0")
    monkeypatch.setenv("CHARGEBEE_API_TIMEOUT", "0.5")
    return _chargebee_fake_server


__all__ = ["_chargebee_fake_server", "chargebee_fake"]
