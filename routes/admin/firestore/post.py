"""POST /admin/firestore {path, document?, merge?, metadataTag?}: write any document (admin only).

As BEM: ``{pushId}`` / ``{nanoId}`` in the path become a new random id, the written document
gets ``metadata.updated`` and ``metadata.tag`` (``metadataTag``, default ``admin/firestore``),
``merge`` defaults to true, and the answer is ``{path}`` (the resolved path).
"""

import re
import secrets
import string

from functions.api import RouteOptions
from functions.timestamps import Stamp

OPTIONS = RouteOptions(require="admin", setup_usage=False)
PLACEHOLDER = re.compile(r"\{(pushId|nanoId)\}", re.IGNORECASE)
ID_ALPHABET = string.ascii_letters + string.digits


def new_id(length: int = 20) -> str:
    """A random document id, Firestore's auto-id shape (what a push id or nano id stands for)."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


def resolve_path(path: str) -> str:
    """Replace each ``{pushId}`` / ``{nanoId}`` placeholder with a new id."""
    return PLACEHOLDER.sub(lambda _: new_id(), path)


def main(settings, db):
    path = resolve_path(settings.path)
    document = {**settings.document, "metadata": {"updated": Stamp.now().dump(), "tag": settings.metadata_tag}}
    db.document(path).set(document, merge=settings.merge)
    return {"path": path, "written": True, "merge": settings.merge}
