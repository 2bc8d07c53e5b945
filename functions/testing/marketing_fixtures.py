"""pytest fixtures for marketing (loaded by the ``bem`` plugin): the fake Beehiiv API, both providers on.

- ``beehiiv_fake``: one ``BeehiivFake`` per session (ephemeral port, or ``BEM_BEEHIIV_FAKE_PORT`` in the
  emulator tier), reset per test; points the provider at it (``BEEHIIV_API_BASE``, a test key, 0.5 s
  timeout) and enables ``marketing.newsletter`` with publication ``pub_test``.
- ``marketing``: ``manager.marketing`` with SendGrid Marketing (``sendgrid_fake``) and Beehiiv
  (``beehiiv_fake``) both enabled; the fakes are ``marketing.sendgrid`` / ``marketing.beehiiv``.
Both providers are faked at HTTP only: the SendGrid SDK and ``requests`` run unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from functions.testing.beehiiv_fake import BeehiivFake

BEEHIIV_TEST_KEY = "bh-test-key"
PUBLICATION = "pub_test"


def set_marketing_config(manager: Any, **sections: dict) -> None:
    """Merge ``sections`` (``campaigns``, ``newsletter``, ``prune``; BEM's camelCase keys) into ``marketing``."""
    from functions.config import parse_config

    raw = manager.config.model_dump(by_alias=True, exclude_none=True)
    marketing = raw.setdefault("marketing", {})
    for name, values in sections.items():
        marketing[name] = {**(marketing.get(name) or {}), **values}
    manager.config = parse_config(raw)


@pytest.fixture(scope="session")
def _beehiiv_fake_server() -> Iterator[BeehiivFake]:
    fake = BeehiivFake(port=int(os.environ.get("BEM_BEEHIIV_FAKE_PORT", "0"))).start()
    yield fake
    fake.stop()


@pytest.fixture
def beehiiv_fake(_beehiiv_fake_server: BeehiivFake, manager: Any, monkeypatch: pytest.MonkeyPatch) -> BeehiivFake:
    from functions.marketing.providers import forget_clients

    _beehiiv_fake_server.reset()
    forget_clients()
    monkeypatch.setenv("BEEHIIV_API_BASE", _beehiiv_fake_server.base_url)
    monkeypatch.setenv("BEEHIIV_API_KEY", BEEHIIV_TEST_KEY)
    monkeypatch.setenv("BEEHIIV_API_TIMEOUT", "0.5")
    set_marketing_config(manager, newsletter={"enabled": True, "publicationId": PUBLICATION})
    return _beehiiv_fake_server


class MarketingFakes:
    def __init__(self, library: Any, sendgrid: Any, beehiiv: BeehiivFake) -> None:
        self.library, self.sendgrid, self.beehiiv, self.publication = library, sendgrid, beehiiv, PUBLICATION

    def __getattr__(self, name: str) -> Any:  # manager.marketing's methods
        return getattr(self.library, name)


@pytest.fixture
def marketing(manager: Any, sendgrid_fake: Any, beehiiv_fake: BeehiivFake, monkeypatch: pytest.MonkeyPatch) -> MarketingFakes:
    monkeypatch.setenv("SENDGRID_API_TIMEOUT", "0.5")
    set_marketing_config(manager, campaigns={"enabled": True})
    return MarketingFakes(manager.marketing, sendgrid_fake, beehiiv_fake)


__all__ = ["_beehiiv_fake_server", "beehiiv_fake", "marketing", "set_marketing_config"]
