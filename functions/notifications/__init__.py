"""Push notifications (BEM ``libraries/notification.js``): ``manager.notifications.send(...)``.

Sends through firebase-admin Messaging to one token, an owner or tags, in batches of 500
with ``send_each``, deleting tokens FCM reports unregistered or invalid. See docs/notifications.md.
"""

from __future__ import annotations

from typing import Any

from functions.notifications.send import BATCH_SIZE, Notice, Targets, send


class Notifications:
    """Bound to one Manager; firebase_admin.messaging is imported on the first send."""

    def __init__(self, manager: Any) -> None:
        self._manager = manager

    def send(self, notice: Notice, targets: Targets | None = None) -> dict[str, int]:
        return send(self._manager, notice, targets or Targets())


__all__ = ["BATCH_SIZE", "Notice", "Notifications", "Targets", "send"]
