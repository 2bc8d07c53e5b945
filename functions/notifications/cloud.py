"""``bm_notificationsOnWrite``: the Firestore trigger on ``notifications/{token}`` (BEM's name,
60 s). It forwards to ``functions.notifications.stats.count_write``, imported on first use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def build(manager: Any) -> dict[str, Callable[..., Any]]:
    from firebase_functions import firestore_fn, options

    @firestore_fn.on_document_written(
        document="notifications/{token}",
        region=manager.options.region,
        memory=options.MemoryOption.MB_256,
        timeout_sec=60,
    )
    def bm_notificationsOnWrite(event: Any) -> None:  # noqa: N802 - BEM's exported name
        from functions.notifications.stats import count_write

        before = event.data.before if event.data is not None else None
        after = event.data.after if event.data is not None else None
        count_write(manager, getattr(event, "id", None), event.params["token"],
                    bool(before is not None and before.exists), bool(after is not None and after.exists))

    return {"bm_notificationsOnWrite": bm_notificationsOnWrite}
