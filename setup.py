"""Build hook: ship this repository's built-in layer inside the wheel.

The built-in routes, schemas, hooks, cron jobs and templates live at the repository root
(this repository is also the framework's own deployable project). A wheel copies them to
``functions/_builtins/``, and the root files a new project starts from (config, rules,
.env.example, the pinned firebase-tools ``emulator/package.json`` + lock) to
``functions/_builtins/root/``, so a project that ``pip install``s the framework gets
every built-in as its last layer and ``mgr init`` can provision the emulator.
All metadata lives in pyproject.toml; this file only adds the copy step.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
BUILTIN_FOLDERS = ("routes", "schemas", "hooks", "cron", "templates")
# Root files a new project starts from (``mgr init``), kept at their relative paths.
PROJECT_FILES = (
    "firebase.json", "backend-manager-config.json", "firestore.rules", ".env.example", "emulator/package.json", "emulator/package-lock.json",
)
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")


class BuildPyWithBuiltins(build_py):
    """``build_py`` plus the root built-in folders copied to ``functions/_builtins``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the root folders in place
        target = Path(self.build_lib) / "functions" / "_builtins"
        shutil.rmtree(target, ignore_errors=True)  # a stale build/ must not keep deleted built-ins
        for folder in BUILTIN_FOLDERS:
            source = HERE / folder
            if source.is_dir():
                shutil.copytree(source, target / folder, ignore=SKIP, dirs_exist_ok=True)
        for name in PROJECT_FILES:
            if (HERE / name).is_file():
                (target / "root" / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(HERE / name, target / "root" / name)


setup(cmdclass={"build_py": BuildPyWithBuiltins})
