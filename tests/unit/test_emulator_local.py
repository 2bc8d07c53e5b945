"""The local suite's plumbing: Hosting URLs, test mode without .env, recorded pids and `mgr emulator stop`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from functions.emulator.runner import ISOLATED_CONFIG, NO_DOTENV_DIR, build_command, write_isolated_config
from functions.emulator.state import read_state, start_time, stop_recorded, write_state
from functions.emulator.urls import EmulatorUrls, read_ports


def test_firebase_json_rewrites_bems_urls_to_bm_api(bem_root):
    config = json.loads((bem_root / "firebase.json").read_text())
    [rewrite] = config["hosting"]["rewrites"]
    assert rewrite["function"] == "bm_api"
    for path in ("/backend-manager", "/backend-manager/**", "/mcp", "/.well-known/oauth-protected-resource",
                 "/.well-known/oauth-authorization-server", "/authorize", "/token", "/register"):
        assert path in rewrite["source"]
    assert (bem_root / config["hosting"]["public"] / "index.html").is_file()
    assert "public" in config["functions"][0]["ignore"]


def test_urls_give_bm_api_in_function_and_hosting_form(bem_root):
    urls = EmulatorUrls.build("demo-bem", read_ports(bem_root), ["auth", "firestore", "functions", "hosting"])
    assert urls.api_bases() == {
        "function": "http://127.0.0.1:5001/demo-bem/us-central1/bm_api/backend-manager",
        "hosting": "http://127.0.0.1:5000/backend-manager",
    }


def test_test_mode_config_points_functions_at_a_folder_without_dotenv(tmp_path, bem_root):
    (tmp_path / "firebase.json").write_text((bem_root / "firebase.json").read_text())
    path = write_isolated_config(tmp_path)
    assert path == tmp_path / ISOLATED_CONFIG
    written = json.loads(path.read_text())
    assert written["functions"][0]["configDir"] == NO_DOTENV_DIR
    assert written["hosting"] == json.loads((bem_root / "firebase.json").read_text())["hosting"]
    assert list((tmp_path / NO_DOTENV_DIR).iterdir()) == []
    command = build_command(tmp_path / "firebase", ["auth"], "demo-bem", config=path)
    assert command[-2:] == ["--config", ISOLATED_CONFIG]


def _sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)


def test_stop_ends_the_recorded_processes(tmp_path):
    firebase, child = _sleeper(), _sleeper()
    try:
        write_state(tmp_path, firebase.pid, {child.pid}, {"project": "demo-bem"})
        state = read_state(tmp_path)
        state["owner"] = {"pid": 2**22 + 7, "start": None}  # the mgr emulator that wrote it is gone
        (tmp_path / "logs" / "emulator-state.json").write_text(json.dumps(state))

        message = stop_recorded(tmp_path, timeout=5)

        assert firebase.wait(timeout=10) is not None and child.wait(timeout=10) is not None
        assert message.startswith("stopped 2 recorded process(es)")
        assert read_state(tmp_path) is None
    finally:
        for proc in (firebase, child):
            proc.kill()


def test_stop_leaves_a_process_that_only_reuses_a_recorded_pid(tmp_path):
    other = _sleeper()
    try:
        write_state(tmp_path, other.pid, set(), {})
        state = read_state(tmp_path)
        state["owner"] = {"pid": 2**22 + 7, "start": None}
        state["firebase"]["start"] = str(int(start_time(other.pid) or 0) + 1)  # recorded: another process
        (tmp_path / "logs" / "emulator-state.json").write_text(json.dumps(state))
        stop_recorded(tmp_path, timeout=5)
        assert other.poll() is None
    finally:
        other.kill()


def test_stop_without_a_recorded_suite_says_so(tmp_path):
    assert "no emulator suite recorded" in stop_recorded(tmp_path)
    assert os.path.exists(tmp_path) and read_state(tmp_path) is None
