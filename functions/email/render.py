"""Templates → HTML: Jinja2 (autoescaped) writes MJML, ``mjml-python`` (MRML) renders it.

Templates are ``templates/email/{name}.mjml`` in the template layers (a project's layers first,
then the built-ins: ``Manager.init(globals(), templates=["app/templates"])``), so a project
overrides ``card`` or adds its own by dropping a file. Every value is HTML-escaped by Jinja;
the one HTML fragment a template receives, ``content.message``, is rendered here from markdown
with raw HTML disabled. The plain-text part is derived from the final HTML.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from functions.email.errors import EmailInputError
from functions.email.text import html_to_text

FOLDER = "email"
EXTENSION = ".mjml"
_lock = threading.Lock()
_environments: dict[tuple[Path, ...], Any] = {}
_markdown: Any = None


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str


def markdown(source: str) -> str:
    """Markdown → HTML (CommonMark + tables, line breaks kept; raw HTML is escaped, not passed)."""
    global _markdown
    if _markdown is None:
        with _lock:
            if _markdown is None:
                from markdown_it import MarkdownIt

                _markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table")
    return _markdown.render(source)


def environment(layers: Sequence[Path]) -> Any:
    """One Jinja2 environment per set of layers (compiled templates are cached in it)."""
    key = tuple(Path(layer) / FOLDER for layer in layers)
    with _lock:
        if key not in _environments:
            import jinja2

            _environments[key] = jinja2.Environment(
                loader=jinja2.FileSystemLoader([str(p) for p in key]), autoescape=True,
                undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False)
        return _environments[key]


def available(layers: Sequence[Path]) -> list[str]:
    names = set()
    for layer in layers:
        folder = Path(layer) / FOLDER
        if folder.is_dir():
            names.update(p.stem for p in folder.glob(f"*{EXTENSION}") if not p.stem.startswith("_"))
    return sorted(names)


def exists(layers: Sequence[Path], name: str) -> bool:
    return not name.startswith("_") and _exists(tuple(layers), name)


@functools.lru_cache(maxsize=512)
def _exists(layers: tuple[Path, ...], name: str) -> bool:
    """Cached: template files are part of the deployed source and do not change while it runs."""
    return any((Path(layer) / FOLDER / f"{name}{EXTENSION}").is_file() for layer in layers)


def render(layers: Sequence[Path], template: str, variables: dict[str, Any]) -> Rendered:
    """Render ``template`` with ``variables`` (the data tree) to HTML and its plain text."""
    if not exists(layers, template):
        raise EmailInputError("template", f"unknown template '{template}' (known: {', '.join(available(layers))})")
    import mjml

    source = environment(layers).get_template(f"{template}{EXTENSION}").render(**variables)
    html = mjml.mjml2html(source)
    return Rendered(html=html, text=html_to_text(html))


def safe(html: str) -> Any:
    """Mark an HTML fragment the library produced itself (rendered markdown) as safe for Jinja."""
    from markupsafe import Markup

    return Markup(html)
