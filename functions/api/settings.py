"""Resolve a route's schema, then trim → sanitize → validate the request data.

Trimming always runs; HTML sanitizing only where asked (BEM 5.11): every field of a route with
``sanitize=True`` but those marked ``Unsanitized``, and fields marked ``Sanitized`` anywhere.
Both run before validation so constraints see the clean value.
Unknown keys are dropped unless the route sets ``include_non_schema_settings``.
A failure answers 400 naming the field path (``items.2.name``).
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from typing import Any

import pydantic

from functions.api import inject
from functions.api.modules import import_file
from functions.api.options import CREDENTIAL_KEYS
from functions.api.sanitize import sanitize_value, trim_value
from functions.errors import SetupError, ValidationError
from functions.schemas import _SanitizedMarker, _UnsanitizedMarker


class SchemaTable:
    def __init__(self, layers: list[Path]) -> None:
        self.layers = layers
        self._cache: dict[str, Any] = {}

    def find(self, route: str, method: str) -> Any | None:
        key = f"{route}/{method}"
        if key not in self._cache:
            self._cache[key] = self._find(route, method)
        return self._cache[key]

    def _find(self, route: str, method: str) -> Any | None:
        for layer in self.layers:
            folder = layer / route if route else layer
            if not folder.is_dir():
                continue
            for stem in (method, "index"):
                path = folder / f"{stem}.py"
                if path.is_file():
                    return _load_schema(path)
        return None


def _load_schema(path: Path) -> Any:
    module = import_file(path, "schema")
    model = getattr(module, "Schema", None)
    factory = getattr(module, "schema", None)
    if isinstance(model, type) and issubclass(model, pydantic.BaseModel):
        return model
    if callable(factory):
        return _Factory(factory, inject.plan(factory, str(path)))
    raise SetupError(f"{path}: a schema module must define class Schema(BaseModel) or def schema(...)")


class _Factory:
    def __init__(self, func: Any, params: tuple[str, ...]) -> None:
        self.func, self.params = func, params

    def __call__(self, available: dict[str, Any]) -> type[pydantic.BaseModel]:
        model = inject.call(self.func, self.params, available)
        if not (inspect.isclass(model) and issubclass(model, pydantic.BaseModel)):
            raise SetupError(f"schema function {self.func.__module__} must return a pydantic model class")
        return model


def resolve_model(schema: Any, available: dict[str, Any]) -> type[pydantic.BaseModel] | None:
    if schema is None:
        return None
    return schema(available) if isinstance(schema, _Factory) else schema


def build_settings(model: type[pydantic.BaseModel] | None, data: dict, *, sanitize: bool, include_extra: bool) -> Any:
    incoming = {k: v for k, v in data.items() if k not in CREDENTIAL_KEYS}
    incoming = trim_value(incoming)
    if model is None:
        return sanitize_value(incoming) if sanitize else incoming
    raw_fields, stripped_fields = _marked_fields(model, _UnsanitizedMarker), _marked_fields(model, _SanitizedMarker)
    prepared = {}
    for key, value in incoming.items():
        known = key in model.model_fields or any(f.alias == key for f in model.model_fields.values())
        if not known and not include_extra:
            continue
        strip = not (known and key in raw_fields) if sanitize else (known and key in stripped_fields)
        prepared[key] = sanitize_value(value) if strip else value
    target = _allowing_extra(model) if include_extra else model
    try:
        return target.model_validate(prepared)
    except pydantic.ValidationError as error:
        raise _validation_error(error) from None


@functools.lru_cache(maxsize=256)
def _allowing_extra(model: type[pydantic.BaseModel]) -> type[pydantic.BaseModel]:
    """The same model, keeping undeclared keys (read them with ``settings.model_extra``)."""
    config = {**model.model_config, "extra": "allow"}
    return type(model.__name__, (model,), {"model_config": config, "__module__": model.__module__})


@functools.lru_cache(maxsize=512)
def _marked_fields(model: type[pydantic.BaseModel], marker: type) -> frozenset[str]:
    """Names and aliases of the top-level fields annotated with ``marker`` (``Sanitized``/``Unsanitized``)."""
    names: set[str] = set()
    for name, info in model.model_fields.items():
        if any(isinstance(meta, marker) for meta in info.metadata):
            names.update({name, info.alias or name})
    return frozenset(names)


def _validation_error(error: pydantic.ValidationError) -> ValidationError:
    first = error.errors()[0]
    path = ".".join(str(part) for part in first["loc"]) or "(body)"
    message = f"Required key {path} is missing in settings" if first["type"] == "missing" else f"Invalid value for {path}: {first['msg']}"
    if len(error.errors()) > 1:
        message += f" (and {len(error.errors()) - 1} more)"
    return ValidationError(message, field=path)
