"""The ``bm_*`` Cloud Functions, declared with the firebase_functions SDK.

Each is a plain module-level function carrying ``__firebase_endpoint__``, which is what
firebase-tools reads from main.py. Bodies only forward to the framework module that
does the work, imported on first invocation. Memory and timeouts are BEM's.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from functions.manager import Manager


# Each area module ``functions/{area}/cloud.py`` has ``build(manager) -> {name: function}``.
AREAS = ("auth", "payments", "notifications", "cron")


def build_cloud_functions(manager: Manager) -> dict[str, Callable[..., Any]]:
    if os.environ.get("FUNCTION_TARGET") == "bm_api":
        return {"bm_api": _serving_api(manager)}
    return _declare_all(manager)


def _serving_api(manager: Manager) -> Callable[..., Any]:
    """The bm_api an instance serves: functions-framework calls it with a flask request.

    ``FUNCTION_TARGET`` is set by Cloud Functions and the emulator on serving instances
    (never during deploy discovery), so the manifest metadata and the SDK's decorator
    imports (flask_cors, identity/firestore/scheduler modules) are skipped on the cold path.
    """

    def bm_api(request: Any) -> Any:
        return manager.handle_api(request)

    return bm_api


def _declare_all(manager: Manager) -> dict[str, Callable[..., Any]]:
    from firebase_functions import https_fn, options

    region = manager.options.region
    mb256 = options.MemoryOption.MB_256

    @https_fn.on_request(region=region, memory=mb256, timeout_sec=300)
    def bm_api(request: https_fn.Request) -> https_fn.Response:
        return manager.handle_api(request)

    functions: dict[str, Callable[..., Any]] = {"bm_api": bm_api}
    for area in AREAS:
        try:
            module = importlib.import_module(f"functions.{area}.cloud")
        except ModuleNotFoundError as error:
            if error.name != f"functions.{area}.cloud" and error.name != f"functions.{area}":
                raise
            continue
        functions.update(module.build(manager))
    return functions
