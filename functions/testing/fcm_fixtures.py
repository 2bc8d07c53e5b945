"""pytest fixture ``fcm_fake`` (loaded by the ``bem`` plugin): one ``FCMFake`` per session on an
ephemeral port, reset for every test, declared to the manager as ``services["fcm_api_base"]``
(functions/notifications/fcm.py), so ``manager.notifications`` sends to it with a static token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from functions.testing.fcm_fake import FCMFake


@pytest.fixture(scope="session")
def _fcm_fake_server() -> Iterator[FCMFake]:
    fake = FCMFake(port=0).start()
    yield fake
    fake.stop()


@pytest.fixture
def fcm_fake(_fcm_fake_server: FCMFake, manager: Any) -> FCMFake:
    _fcm_fake_server.reset()
    manager.services["fcm_api_base"] = _fcm_fake_server.url
    return _fcm_fake_server


__all__ = ["_fcm_fake_server", "fcm_fake"]
