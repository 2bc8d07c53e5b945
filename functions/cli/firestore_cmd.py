"""``mgr firestore get|set|query|delete``: read and fix documents in the emulator or production.

    mgr firestore get users/abc123 [--json|--raw]
    mgr firestore set users/abc123 '{"name": "Test"}' [--no-merge]
    mgr firestore query users --where "subscription.status==active" --order-by "created:desc" --limit 10
    mgr firestore delete users/abc123 [--force]

Target and exit codes: see ``functions.cli.target``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import typer

from functions.cli.target import (
    EXIT_FAILED,
    EXIT_USAGE,
    EmulatorOption,
    ForceOption,
    JsonOption,
    ProductionOption,
    RawOption,
    Target,
    confirm_destructive,
    emit,
    fail,
    note,
    resolve_target,
    sdk_errors,
)

app = typer.Typer(help="Read and write Firestore documents (emulator by default).", no_args_is_help=True)

_OPERATORS = (">=", "<=", "!=", "==", ">", "<")  # longest first: ">=" before ">"
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Where:
    field: str
    op: str
    value: Any


def coerce_value(raw: str) -> Any:
    """A ``--where`` value: true/false/null, numbers, quoted strings unquoted, else the text."""
    if raw in ("true", "false"):
        return raw == "true"
    if raw == "null":
        return None
    if _NUMBER.match(raw):
        return float(raw) if "." in raw else int(raw)
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw


def parse_where(clause: str) -> Where:
    """``"field==value"`` (also ``!= > >= < <=``) → Where. Raises ValueError naming the clause."""
    positions = [(clause.find(op), op) for op in _OPERATORS if clause.find(op) > 0]
    if not positions:
        raise ValueError(f'Cannot parse --where "{clause}": use field==value (or != > >= < <=)')
    index = min(p for p, _ in positions)
    op = next(op for p, op in positions if p == index)  # at the same index the longest operator wins
    field, raw = clause[:index].strip(), clause[index + len(op):].strip()
    if not field:
        raise ValueError(f'Cannot parse --where "{clause}": the field is empty')
    return Where(field, op, coerce_value(raw))


def parse_order_by(spec: str) -> tuple[str, str]:
    """``"field"`` or ``"field:asc|desc"`` → (field, direction)."""
    field, _, direction = spec.partition(":")
    direction = (direction or "asc").lower()
    if not field or direction not in ("asc", "desc"):
        raise ValueError(f'Cannot parse --order-by "{spec}": use field or field:asc|desc')
    return field, direction


def is_document_path(path: str) -> bool:
    segments = [s for s in path.split("/") if s]
    return bool(segments) and len(segments) % 2 == 0


def parse_json_object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ValueError(f"Invalid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ValueError("The document must be a JSON object")
    return data


def client(target: Target) -> Any:
    """A google-cloud-firestore client for the target (anonymous credentials on the emulator)."""
    target.apply()
    from google.cloud import firestore

    if target.kind == "emulator":
        from google.auth.credentials import AnonymousCredentials

        return firestore.Client(project=target.project, credentials=AnonymousCredentials())
    if target.credentials_file is not None:
        return firestore.Client.from_service_account_json(str(target.credentials_file), project=target.project)
    return firestore.Client(project=target.project)


def run_query(db: Any, collection: str, wheres: list[Where], order_by: tuple[str, str] | None, limit: int) -> list[dict]:
    from google.cloud.firestore_v1.base_query import FieldFilter

    query: Any = db.collection(collection)
    for clause in wheres:
        query = query.where(filter=FieldFilter(clause.field, clause.op, clause.value))
    if order_by:
        field, direction = order_by
        query = query.order_by(field, direction="DESCENDING" if direction == "desc" else "ASCENDING")
    return [{"id": s.id, "path": s.reference.path, "data": s.to_dict()} for s in query.limit(limit).stream()]


def _usage(error: ValueError) -> typer.Exit:
    return fail(str(error), EXIT_USAGE)



@app.command("get")
@sdk_errors
def get(
    path: str = typer.Argument(..., help="Document path, e.g. users/abc123"),
    production: bool = ProductionOption, emulator: bool = EmulatorOption, force: bool = ForceOption,
    as_json: bool = JsonOption, raw: bool = RawOption,
) -> None:
    """Read one document. Exit 1 when it does not exist."""
    if not is_document_path(path):
        raise fail(f'"{path}" is a collection, not a document: use `mgr firestore query {path}`.', EXIT_USAGE)
    snapshot = client(resolve_target(production=production, emulator=emulator, force=force)).document(path).get()
    if not snapshot.exists:
        raise fail(f"Document does not exist: {path}", EXIT_FAILED)
    emit({"id": snapshot.id, "path": snapshot.reference.path, "data": snapshot.to_dict()}, as_json=as_json, raw=raw)


@app.command("set")
@sdk_errors
def set_(
    path: str = typer.Argument(..., help="Document path"),
    data: str = typer.Argument(..., help="JSON object to write"),
    merge: bool = typer.Option(True, "--merge/--no-merge", help="Merge into the document (default) or overwrite it."),
    production: bool = ProductionOption, emulator: bool = EmulatorOption, force: bool = ForceOption,
    as_json: bool = JsonOption, raw: bool = RawOption,
) -> None:
    """Write a document: merge by default, overwrite with --no-merge."""
    if not is_document_path(path):
        raise fail(f'"{path}" is a collection, not a document.', EXIT_USAGE)
    try:
        document = parse_json_object(data)
    except ValueError as error:
        raise _usage(error) from None
    db = client(resolve_target(production=production, emulator=emulator, force=force))
    db.document(path).set(document, merge=merge)
    note(f"Document written: {path} (merge: {str(merge).lower()})")
    emit({"path": path, "merge": merge, "data": document}, as_json=as_json, raw=raw)


@app.command("query")
@sdk_errors
def query(
    collection: str = typer.Argument(..., help="Collection path, e.g. users"),
    where: list[str] = typer.Option(None, "--where", "-w", help='"field==value" (repeat for AND)'),
    order_by: str = typer.Option(None, "--order-by", "--orderBy", help='"field" or "field:desc"'),
    limit: int = typer.Option(25, "--limit", min=1, help="Most documents to return"),
    production: bool = ProductionOption, emulator: bool = EmulatorOption, force: bool = ForceOption,
    as_json: bool = JsonOption, raw: bool = RawOption,
) -> None:
    """Query a collection (exit 0 with an empty list when nothing matches)."""
    if is_document_path(collection):
        raise fail(f'"{collection}" is a document: use `mgr firestore get {collection}`.', EXIT_USAGE)
    try:
        wheres = [parse_where(clause) for clause in where or []]
        order = parse_order_by(order_by) if order_by else None
    except ValueError as error:
        raise _usage(error) from None
    db = client(resolve_target(production=production, emulator=emulator, force=force))
    results = run_query(db, collection, wheres, order, limit)
    note(f"Found {len(results)} document(s)")
    emit(results, as_json=as_json, raw=raw, pretty=_print_table)


def _print_table(results: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "data", show_lines=True)
    for row in results:
        text = json.dumps(row["data"], default=str)
        table.add_row(row["id"], text if len(text) <= 400 else text[:397] + "...")
    Console().print(table)


@app.command("delete")
@sdk_errors
def delete(
    path: str = typer.Argument(..., help="Document path"),
    production: bool = ProductionOption, emulator: bool = EmulatorOption, force: bool = ForceOption,
) -> None:
    """Delete one document (production asks first unless --force). Exit 1 when it does not exist."""
    if not is_document_path(path):
        raise fail(f'"{path}" is a collection, not a document.', EXIT_USAGE)
    target = resolve_target(production=production, emulator=emulator, force=force)
    ref = client(target).document(path)
    if not ref.get().exists:
        raise fail(f"Document does not exist: {path}", EXIT_FAILED)
    confirm_destructive(target, f'document "{path}"', force)
    ref.delete()
    typer.secho(f"Document deleted: {path}", fg="green", err=True)
