"""Read backend-manager-config.json (JSON5 tolerated) into a validated ``Config``."""

from __future__ import annotations

from pathlib import Path

import pydantic

from functions.config.models import Config
from functions.errors import ConfigError
from functions.jsontext import loads_tolerant

CONFIG_FILE = "backend-manager-config.json"


def load_config(path: Path) -> Config:
    if not path.exists():
        raise ConfigError(f"{path}: not found (run `mgr setup` to create one)")
    return parse_config(_read_json5(path.read_text(encoding="utf-8"), path.name), source=path.name)


def _read_json5(text: str, source: str) -> object:
    try:
        return loads_tolerant(text)
    except ValueError as error:
        raise ConfigError(f"{source}: not valid JSON5: {error}") from None


def parse_config(raw: object, *, source: str = CONFIG_FILE) -> Config:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: the top level must be an object")
    try:
        return Config.model_validate(raw)
    except pydantic.ValidationError as error:
        problems = "; ".join(f"{_path(e['loc'])}: {e['msg']}" for e in error.errors())
        raise ConfigError(f"{source}: {problems}") from None


def _path(location: tuple) -> str:
    return ".".join(str(part) for part in location) or "(root)"
