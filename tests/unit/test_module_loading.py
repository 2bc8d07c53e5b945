"""Route/schema modules load once, completely, under concurrent first requests.

A module used to be visible in ``sys.modules`` while it was still executing, so a second
request could take the half-loaded module (``must define class Schema``) and answer 500.
"""

from __future__ import annotations

import logging
import queue
import shutil

from functions.testing.concurrency import all_at_once
from tests.unit.conftest import write

SLOW_ROUTE = """
import time
time.sleep(0.05)  # a module that takes a while to execute widens the window
from functions.api import RouteOptions
OPTIONS = RouteOptions(authenticate=False)
def main(settings):
    return {"name": settings.name}
"""
SLOW_SCHEMA = """
import time
time.sleep(0.05)
from functions.schemas import BaseModel
class Schema(BaseModel):
    name: str = "x"
"""


def test_a_cold_manager_answers_concurrent_first_requests_to_every_route(manager, project, layered, accounts, caplog):
    root = manager.options.root
    # copies at new paths: every module is cold for this Manager, whatever other tests loaded
    shutil.copytree(root / "routes", project / "routes", dirs_exist_ok=True)
    shutil.copytree(root / "schemas", project / "schemas", dirs_exist_ok=True)
    write(project / "routes/slow/post.py", SLOW_ROUTE)
    write(project / "schemas/slow/post.py", SLOW_SCHEMA)
    write(project / "routes/slow-schema/post.py", SLOW_ROUTE.replace("time.sleep(0.05)", ""))
    write(project / "schemas/slow-schema/post.py", SLOW_SCHEMA)
    cold, client = layered()
    calls = [(method.upper(), route) for route, files in cold.routes.routes.items() for method in files if method != "index"]
    calls += [("POST", "slow")] * 30 + [("POST", "slow-schema")] * 30
    assert len(calls) > 45
    pending: queue.Queue = queue.Queue()
    for call in calls:
        pending.put(call)
    admin = client.as_("admin")

    def first_request():
        method, route = pending.get_nowait()
        return method, route, admin.request(method, route, headers={"Content-Type": "application/json"})

    with caplog.at_level(logging.ERROR, logger="bem"):
        results = all_at_once(len(calls), first_request)
    unconfigured = {("POST", "payments/portal")}  # a documented 503: no STRIPE_SECRET_KEY in the unit tier
    failures = [(m, r, resp.status, resp.text[:200]) for m, r, resp in results
                if resp.status >= 500 and not ((m, r) in unconfigured and resp.status == 503)]
    assert failures == []
    slow = [resp.json for m, r, resp in results if r.startswith("slow")]
    assert slow == [{"name": "x"}] * len(slow) and len(slow) == 62
    assert not [rec for rec in caplog.records if "SetupError" in rec.getMessage() or rec.exc_info]
