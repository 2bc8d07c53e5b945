"""An in-memory Firestore with the google-cloud-firestore surface the framework uses.

Used by the unit tier and by `mgr serve` when no emulator runs. It mirrors the real
client's semantics where our code depends on them: ``create`` fails on an existing
document, ``update`` fails on a missing one, ``set(merge=True)`` deep-merges,
dotted field paths, ``Increment``/``ArrayUnion``/``ArrayRemove``/``DELETE_FIELD``/
``SERVER_TIMESTAMP``, batches, and transactions that work with
``google.cloud.firestore.transactional`` and are serialised by one lock, so
concurrent read-check-write code behaves as it does against Firestore.

Fault injection (tests only; nothing sets it while serving): ``with db.inject(after_read=...,
on_conflict=...):`` runs ``after_read(snapshot)`` after every document read, outside the store's
lock (a network round-trip, or another instance writing between a read and a write), and
``on_conflict(path, error)`` on every write refused because the document changed since it was
read or already exists (a lost race), before the error is raised.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import itertools
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from google.api_core import exceptions
from google.cloud.firestore_v1 import transforms

from functions.store.paths import delete_path, get_path, set_path, split_field_path

_NOT_FOUND = object()


class MemoryFirestore:
    def __init__(self, project: str = "demo-bem") -> None:
        self.project = project
        self._docs: dict[str, dict] = {}
        self._times: dict[str, tuple[dt.datetime, dt.datetime]] = {}
        self._last_time: dt.datetime | None = None
        self.lock = threading.RLock()
        self.stats = {"reads": 0, "writes": 0, "scanned": 0}  # reads as Firestore bills them; scanned by queries
        self._after_read: Callable[[DocumentSnapshot], None] | None = None
        self._on_conflict: Callable[[str, Exception], None] | None = None

    # references ---------------------------------------------------------
    def document(self, *path: str) -> DocumentReference:
        full = "/".join(path).strip("/")
        if full.count("/") % 2 != 1:
            raise ValueError(f"'{full}' is not a document path")
        return DocumentReference(self, full)

    def collection(self, *path: str) -> CollectionReference:
        full = "/".join(path).strip("/")
        if full.count("/") % 2 != 0:
            raise ValueError(f"'{full}' is not a collection path")
        return CollectionReference(self, full)

    def collections(self) -> list[CollectionReference]:
        names = sorted({path.split("/", 1)[0] for path in self._docs})
        return [CollectionReference(self, name) for name in names]

    def batch(self) -> WriteBatch:
        return WriteBatch(self)

    def bulk_writer(self) -> WriteBatch:
        return WriteBatch(self, auto_commit=True)

    def transaction(self, max_attempts: int = 5, read_only: bool = False) -> Transaction:
        return Transaction(self, max_attempts=max_attempts, read_only=read_only)

    def get_all(self, references: Iterable[DocumentReference], transaction: Any = None, **_: Any) -> Iterator[DocumentSnapshot]:
        return iter([ref.get() for ref in references])

    def reset(self) -> None:
        with self.lock:
            self._docs.clear()
            self._times.clear()

    @contextlib.contextmanager
    def inject(self, *, after_read: Callable[[DocumentSnapshot], None] | None = None,
               on_conflict: Callable[[str, Exception], None] | None = None) -> Iterator[None]:
        """Fault injection for the block (tests only; see the module doc). Restores the previous hooks."""
        previous = self._after_read, self._on_conflict
        self._after_read, self._on_conflict = after_read, on_conflict
        try:
            yield
        finally:
            self._after_read, self._on_conflict = previous

    @staticmethod
    def write_option(**kwargs: Any) -> Any:
        """``last_update_time=`` or ``exists=`` preconditions, as ``firestore.Client.write_option``."""
        from google.cloud.firestore_v1.client import Client

        return Client.write_option(**kwargs)

    # storage primitives (always under the lock) ----------------------------
    def _next_time(self) -> dt.datetime:
        """Now, strictly after the previous write: update times identify versions (preconditions)."""
        now = dt.datetime.now(dt.UTC)
        if self._last_time is not None and now <= self._last_time:
            now = self._last_time + dt.timedelta(microseconds=1)
        self._last_time = now
        return now

    def _read(self, path: str) -> DocumentSnapshot:
        with self.lock:
            self.stats["reads"] += 1
            data = self._docs.get(path)
            times = self._times.get(path)
            return DocumentSnapshot(DocumentReference(self, path), copy.deepcopy(data), times)

    def _write(self, path: str, mutate: Callable[[dict | None], dict | None], option: Any = None) -> None:
        with self.lock:
            self.stats["writes"] += 1
            current = copy.deepcopy(self._docs.get(path))
            try:
                _check_precondition(path, option, self._times.get(path))
                result = mutate(current)
            except (exceptions.FailedPrecondition, exceptions.AlreadyExists) as error:
                if self._on_conflict is not None:
                    self._on_conflict(path, error)
                raise
            now = self._next_time()
            if result is None:
                self._docs.pop(path, None)
                self._times.pop(path, None)
                return
            created = self._times.get(path, (now, now))[0]
            self._docs[path] = result
            self._times[path] = (created, now)

    def _restore(self, path: str, data: dict | None, times: tuple | None) -> None:
        """Put a document (and its times) back as it was: a failed batch leaves no trace."""
        if data is None:
            self._docs.pop(path, None)
            self._times.pop(path, None)
        else:
            self._docs[path], self._times[path] = data, times

    def _paths_in(self, collection: str) -> list[str]:
        depth = collection.count("/") + 1
        prefix = collection + "/"
        with self.lock:
            return sorted(p for p in self._docs if p.startswith(prefix) and p.count("/") == depth)


# writes ----------------------------------------------------------------------
def _resolve(value: Any, current: Any) -> Any:
    """Apply one Firestore transform (or plain value) to the current field value."""
    if isinstance(value, transforms.Increment):
        base = current if isinstance(current, (int, float)) and not isinstance(current, bool) else 0
        return base + value.value
    if isinstance(value, transforms.ArrayUnion):
        base = list(current) if isinstance(current, list) else []
        return base + [v for v in value.values if v not in base]
    if isinstance(value, transforms.ArrayRemove):
        return [v for v in (current if isinstance(current, list) else []) if v not in value.values]
    if value is transforms.SERVER_TIMESTAMP:
        return dt.datetime.now(dt.UTC)
    if isinstance(value, dict):
        return {k: _resolve(v, _NOT_FOUND) for k, v in value.items() if v is not transforms.DELETE_FIELD}
    return copy.deepcopy(value)


def _merge(target: dict, data: dict) -> None:
    for key, value in data.items():
        if value is transforms.DELETE_FIELD:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict) and value:
            _merge(target[key], value)
        else:
            target[key] = _resolve(value, target.get(key, _NOT_FOUND))


def _apply_update(doc: dict, updates: dict) -> None:
    for field_path, value in updates.items():
        parts = split_field_path(field_path)
        if value is transforms.DELETE_FIELD:
            delete_path(doc, parts)
        else:
            set_path(doc, parts, _resolve(value, get_path(doc, parts, _NOT_FOUND)))


def _set_op(data: dict, merge: bool) -> Callable[[dict | None], dict]:
    def mutate(current: dict | None) -> dict:
        if merge:
            doc = current or {}
            _merge(doc, data)
            return doc
        doc: dict = {}
        _merge(doc, data)
        return doc

    return mutate


def _create_op(path: str, data: dict) -> Callable[[dict | None], dict]:
    def mutate(current: dict | None) -> dict:
        if current is not None:
            raise exceptions.AlreadyExists(f"Document already exists: {path}")
        return _set_op(data, merge=False)(None)

    return mutate


def _check_precondition(path: str, option: Any, times: tuple | None) -> None:
    """Enforce a ``write_option`` precondition as Firestore does (FailedPrecondition otherwise)."""
    if option is None:
        return
    expected = getattr(option, "_last_update_time", None)
    if expected is not None and (times is None or times[1] != expected):
        raise exceptions.FailedPrecondition(f"Document {path} changed since {expected}")
    exists = getattr(option, "_exists", None)
    if exists is not None and exists != (times is not None):
        raise exceptions.FailedPrecondition(f"Document {path} {'does not exist' if exists else 'already exists'}")


def _update_op(path: str, updates: dict) -> Callable[[dict | None], dict]:
    def mutate(current: dict | None) -> dict:
        if current is None:
            raise exceptions.NotFound(f"No document to update: {path}")
        _apply_update(current, updates)
        return current

    return mutate


class DocumentReference:
    def __init__(self, client: MemoryFirestore, path: str) -> None:
        self._client = client
        self.path = path
        self.id = path.rsplit("/", 1)[-1]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DocumentReference) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    @property
    def parent(self) -> CollectionReference:
        return CollectionReference(self._client, self.path.rsplit("/", 1)[0])

    def collection(self, name: str) -> CollectionReference:
        return CollectionReference(self._client, f"{self.path}/{name}")

    def collections(self) -> list[CollectionReference]:
        prefix = self.path + "/"
        names = {p[len(prefix):].split("/", 1)[0] for p in self._client._docs if p.startswith(prefix)}
        return [self.collection(n) for n in sorted(names)]

    def get(self, field_paths: Any = None, transaction: Any = None, **_: Any) -> DocumentSnapshot:
        snapshot = self._client._read(self.path)
        hook = self._client._after_read
        if hook is not None:
            hook(snapshot)
        return snapshot

    def set(self, document_data: dict, merge: bool = False, **_: Any) -> None:
        self._client._write(self.path, _set_op(document_data, merge))

    def create(self, document_data: dict, **_: Any) -> None:
        self._client._write(self.path, _create_op(self.path, document_data))

    def update(self, field_updates: dict, option: Any = None, **_: Any) -> None:
        self._client._write(self.path, _update_op(self.path, field_updates), option)

    def delete(self, **_: Any) -> None:
        self._client._write(self.path, lambda _current: None)


class DocumentSnapshot:
    def __init__(self, reference: DocumentReference, data: dict | None, times: tuple | None = None) -> None:
        self.reference = reference
        self.id = reference.id
        self._data = data
        self.create_time, self.update_time = times or (None, None)

    @property
    def exists(self) -> bool:
        return self._data is not None

    def to_dict(self) -> dict | None:
        return copy.deepcopy(self._data) if self._data is not None else None

    def get(self, field_path: str) -> Any:
        value = get_path(self._data or {}, split_field_path(field_path), _NOT_FOUND)
        if value is _NOT_FOUND:
            raise KeyError(field_path)
        return copy.deepcopy(value)


# queries ---------------------------------------------------------------------
def _comparable(a: Any, b: Any) -> bool:
    """Firestore's inequality filters only match values of the filter value's type (numbers with numbers)."""
    if a is _NOT_FOUND or a is None:
        return False
    numbers = (int, float)
    if isinstance(b, numbers) and not isinstance(b, bool):
        return isinstance(a, numbers) and not isinstance(a, bool)
    return isinstance(a, type(b)) or isinstance(b, type(a))


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a is not _NOT_FOUND and a != b,
    "<": lambda a, b: _comparable(a, b) and a < b,
    "<=": lambda a, b: _comparable(a, b) and a <= b,
    ">": lambda a, b: _comparable(a, b) and a > b,
    ">=": lambda a, b: _comparable(a, b) and a >= b,
    "in": lambda a, b: a in b,
    "not-in": lambda a, b: a is not _NOT_FOUND and a not in b,
    # google-cloud-firestore's spellings; it refuses JavaScript's "array-contains…" (functions/store/operators.py)
    "array_contains": lambda a, b: isinstance(a, list) and b in a,
    "array_contains_any": lambda a, b: isinstance(a, list) and any(v in a for v in b),
}


class Query:
    ASCENDING = "ASCENDING"
    DESCENDING = "DESCENDING"

    def __init__(self, client: MemoryFirestore, collection: str, filters=(), orders=(), limit=None, offset=0, after=None):
        self._client, self._collection = client, collection
        self._filters, self._orders = tuple(filters), tuple(orders)
        self._limit, self._offset, self._after = limit, offset, after

    def _copy(self, **changes: Any) -> Query:
        state = dict(filters=self._filters, orders=self._orders, limit=self._limit, offset=self._offset, after=self._after)
        state.update(changes)
        return Query(self._client, self._collection, **state)

    def where(self, field_path: str | None = None, op_string: str | None = None, value: Any = None, *, filter: Any = None) -> Query:
        if filter is not None:
            field_path, op_string, value = filter.field_path, filter.op_string, filter.value
        if op_string not in _OPS:
            raise ValueError(f"unsupported operator {op_string!r}")
        return self._copy(filters=(*self._filters, (field_path, op_string, value)))

    def order_by(self, field_path: str, direction: str = ASCENDING) -> Query:
        return self._copy(orders=(*self._orders, (field_path, direction)))

    def limit(self, count: int) -> Query:
        return self._copy(limit=count)

    def offset(self, count: int) -> Query:
        return self._copy(offset=count)

    def start_after(self, snapshot: DocumentSnapshot) -> Query:
        return self._copy(after=snapshot.reference.path)

    def select(self, field_paths: Any) -> Query:
        return self

    def stream(self, transaction: Any = None, **_: Any) -> Iterator[DocumentSnapshot]:
        """Filter, order and page on the stored data; copy (and count as reads) only what is returned."""
        client = self._client
        with client.lock:
            rows = [(path, client._docs[path]) for path in client._paths_in(self._collection)]
            client.stats["scanned"] += len(rows)
            for field_path, op, value in self._filters:
                parts = split_field_path(field_path)
                rows = [(p, d) for p, d in rows if _OPS[op](get_path(d, parts, _NOT_FOUND), value)]
            for field_path, direction in reversed(self._orders):
                parts = split_field_path(field_path)
                rows = [(p, d) for p, d in rows if get_path(d, parts, _NOT_FOUND) is not _NOT_FOUND]
                rows.sort(key=lambda row, p=parts: get_path(row[1], p), reverse=direction == Query.DESCENDING)
            if self._after is not None:
                paths = [p for p, _ in rows]
                rows = rows[paths.index(self._after) + 1:] if self._after in paths else []
            end = None if self._limit is None else self._offset + self._limit
            return iter([client._read(path) for path, _ in itertools.islice(rows, self._offset, end)])

    def get(self, transaction: Any = None, **_: Any) -> list[DocumentSnapshot]:
        return list(self.stream())


class CollectionReference(Query):
    def __init__(self, client: MemoryFirestore, path: str) -> None:
        super().__init__(client, path)
        self.path = path
        self.id = path.rsplit("/", 1)[-1]

    def document(self, document_id: str | None = None) -> DocumentReference:
        return DocumentReference(self._client, f"{self.path}/{document_id or uuid.uuid4().hex[:20]}")

    def add(self, document_data: dict, document_id: str | None = None) -> tuple[None, DocumentReference]:
        ref = self.document(document_id)
        ref.create(document_data)
        return None, ref

    def list_documents(self, page_size: int | None = None) -> list[DocumentReference]:
        return [DocumentReference(self._client, p) for p in self._client._paths_in(self.path)]


# batches and transactions ------------------------------------------------------
class WriteBatch:
    def __init__(self, client: MemoryFirestore, auto_commit: bool = False) -> None:
        self._client = client
        self._ops: list[tuple[str, Callable, Any]] = []
        self._auto = auto_commit

    def _add(self, ref: DocumentReference, op: Callable, option: Any = None) -> None:
        self._ops.append((ref.path, op, option))
        if self._auto:
            self.commit()

    def set(self, reference: DocumentReference, document_data: dict, merge: bool = False) -> None:
        self._add(reference, _set_op(document_data, merge))

    def create(self, reference: DocumentReference, document_data: dict) -> None:
        self._add(reference, _create_op(reference.path, document_data))

    def update(self, reference: DocumentReference, field_updates: dict, option: Any = None, **_: Any) -> None:
        self._add(reference, _update_op(reference.path, field_updates), option)

    def delete(self, reference: DocumentReference, **_: Any) -> None:
        self._add(reference, lambda _current: None)

    def __len__(self) -> int:
        return len(self._ops)

    def commit(self, **_: Any) -> list:
        with self._client.lock:
            client = self._client
            before = {path: (copy.deepcopy(client._docs.get(path)), client._times.get(path)) for path, _, _ in self._ops}
            try:
                for path, op, option in self._ops:
                    client._write(path, op, option)
            except Exception:
                for path, (data, times) in before.items():  # all or nothing, as Firestore commits
                    client._restore(path, data, times)
                raise
            count, self._ops = len(self._ops), []
            return [None] * count

    def close(self) -> None:
        self.commit()


class Transaction(WriteBatch):
    """Serialised by the store's lock from ``_begin`` to ``_commit``/``_rollback``."""

    def __init__(self, client: MemoryFirestore, max_attempts: int = 5, read_only: bool = False) -> None:
        super().__init__(client)
        self._max_attempts, self._read_only = max_attempts, read_only
        self._id: bytes | None = None

    @property
    def in_progress(self) -> bool:
        return self._id is not None

    def _begin(self, retry_id: bytes | None = None) -> None:
        self._client.lock.acquire()
        self._id = uuid.uuid4().bytes

    def _clean_up(self) -> None:
        self._ops = []
        if self._id is not None:
            self._id = None
            self._client.lock.release()

    def _rollback(self) -> None:
        self._clean_up()

    def _commit(self) -> list:
        try:
            return WriteBatch.commit(self)
        finally:
            self._clean_up()

    def get(self, ref_or_query: Any, **_: Any) -> Any:
        if isinstance(ref_or_query, DocumentReference):
            return ref_or_query.get()
        return ref_or_query.stream()

    def get_all(self, references: Iterable[DocumentReference], **_: Any) -> Iterator[DocumentSnapshot]:
        return iter([ref.get() for ref in references])
