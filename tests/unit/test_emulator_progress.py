"""The progress `mgr emulator` shows: each provisioning step and each start-up milestone, in order."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from functions.emulator import provision
from functions.emulator.runner import FUNCTIONS_LOADED, READY_LINE, EmulatorHandle, EmulatorUrls

ROOT = Path(__file__).resolve().parents[2]


def test_provisioning_reports_each_step_before_and_after():
    seen: list[tuple[str, int, int]] = []
    provision.provision_all(ROOT, ("auth",), on_step=lambda label, done, total: seen.append((label, done, total)))
    labels = [label for label, _, _ in seen]
    assert [done for _, done, _ in seen] == [0, 1, 1, 2]
    assert {total for _, _, total in seen} == {2}
    assert labels[0].startswith("firebase-tools") and labels[2].startswith("Java")


def _listening() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_start_up_reports_each_milestone_until_ready(tmp_path):
    auth, hub = _listening(), _listening()
    log = tmp_path / "emulator.log"
    log.write_text("")
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    ports = {"auth": ("127.0.0.1", auth.getsockname()[1]), "hub": ("127.0.0.1", hub.getsockname()[1])}
    only = ["auth", "functions"]
    ports["functions"] = ports["auth"]
    handle = EmulatorHandle(proc, EmulatorUrls.build("demo-bem", ports, only), only, ports, log)
    seen: list[tuple[str, int, int]] = []

    def firebase_tools_writes_its_log():
        for line in (FUNCTIONS_LOADED, READY_LINE):
            time.sleep(0.4)
            with log.open("a") as out:
                out.write(line + "\n")

    writer = threading.Thread(target=firebase_tools_writes_its_log)
    writer.start()
    try:
        handle.wait_ready(timeout=20, on_progress=lambda pending, reached, total: seen.append((pending, reached, total)))
    finally:
        writer.join()
        proc.kill()
        auth.close()
        hub.close()
    assert seen == [("emulators ready", 3, 5), ("emulators ready", 4, 5), ("ready", 5, 5)]
