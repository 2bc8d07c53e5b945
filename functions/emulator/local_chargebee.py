"""``mgr emulator --chargebee``: the fake Chargebee API wired to the emulated functions.

The functions get ``CHARGEBEE_API_BASE`` (the fake on port 12131) and a ``CHARGEBEE_API_KEY`` test
value. ``POST payments/intent {processor: "chargebee"}`` opens a hosted page on the fake; paying it
(``curl -X POST {fake}/_local/hosted_pages/<id>/pay``, optional ``?trial_days=14``) does what a buyer
on Chargebee's page does and delivers Chargebee's events to ``bm_api``'s webhook
(``?processor=chargebee&key=BACKEND_MANAGER_WEBHOOK_KEY``), as a Chargebee site would.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from functions.testing.test_env import CHARGEBEE_FAKE_PORT

if TYPE_CHECKING:
    from functions.emulator.urls import EmulatorUrls
    from functions.testing.chargebee_fake import ChargebeeFake

LOCAL_API_KEY = "cb_local_fake"
WEBHOOK_PATH = "/bm_api/backend-manager/payments/webhook?processor=chargebee"
PAY_PATH = r"/_local/hosted_pages/(?P<id>[^/]+)/pay"
LOCAL_CHARGEBEE_NOTE = "pay a hosted page: `curl -X POST <this url>/_local/hosted_pages/<id>/pay`"
log = logging.getLogger("bem.chargebee-local")


def chargebee_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """What the functions need to use the fake (a real key already configured is not replaced by the fake's)."""
    base = dict(base or {})
    return {
        "CHARGEBEE_API_BASE": f"http://127.0.0.1:{CHARGEBEE_FAKE_PORT}",
        "CHARGEBEE_API_KEY": base.get("CHARGEBEE_API_KEY") or LOCAL_API_KEY,
        "CHARGEBEE_MAX_NETWORK_RETRIES": "0",
    }


def webhook_key(root: Path, base: Mapping[str, str]) -> str | None:
    """The functions' ``BACKEND_MANAGER_WEBHOOK_KEY``: the test env's, else ``.env``'s, else the shell's."""
    from dotenv import dotenv_values

    return (base.get("BACKEND_MANAGER_WEBHOOK_KEY") or dotenv_values(Path(root) / ".env").get("BACKEND_MANAGER_WEBHOOK_KEY")
            or os.environ.get("BACKEND_MANAGER_WEBHOOK_KEY"))


def start_local_chargebee(urls: EmulatorUrls | None, key: str | None, port: int = CHARGEBEE_FAKE_PORT,
                          webhook_url: str | None = None) -> ChargebeeFake:
    """The fake on ``port``, with the local "pay" endpoint delivering events to ``bm_api``."""
    from functions.testing.chargebee_fake import ChargebeeFake

    if webhook_url is None:
        if urls is None or urls.functions is None:
            raise OSError("the functions emulator is not running: nowhere to deliver Chargebee events")
        webhook_url = urls.functions + WEBHOOK_PATH
    if not key:
        raise OSError("BACKEND_MANAGER_WEBHOOK_KEY is not set: the Chargebee webhook could not be called (`mgr setup`)")
    fake = ChargebeeFake(port=port).start()
    fake.on("POST", PAY_PATH, _payer(fake, f"{webhook_url}&key={key}"))
    return fake


def _payer(fake: ChargebeeFake, url: str) -> Any:
    def pay(request: Any, match: Any) -> tuple[int, dict]:
        try:
            events = fake.complete_hosted_page(match["id"], trial_days=int(request.params.get("trial_days") or 0))
        except LookupError as error:
            return 404, {"message": str(error), "api_error_code": "resource_not_found"}
        except ValueError as error:
            return 400, {"message": str(error), "api_error_code": "invalid_state_for_request"}
        threading.Thread(target=_deliver, args=(url, events), daemon=True).start()  # after this answer
        return 200, {"events": [event["id"] for event in events]}

    return pay


def _deliver(url: str, events: list[dict]) -> None:
    import requests

    for event in events:
        try:
            response = requests.post(url, json=event, timeout=30)
            log.info("chargebee event %s delivered: %s", event["event_type"], response.status_code)
        except requests.RequestException as error:
            log.warning("chargebee event %s not delivered: %s", event["event_type"], error)
