"""The Manager refuses to start with a misnamed hook, schema or route file, naming the known ones."""

from __future__ import annotations

import pytest

from functions.errors import SetupError
from tests.unit.conftest import write

MAIN = "def main():\n    return {}\n"


@pytest.mark.parametrize(
    ("relative", "words"),
    [
        ("hooks/payments/transitions/subscription/new-subscriptoin.py",
         "unknown hook 'new-subscriptoin' (known in payments/transitions/subscription/: payment-refunded, new-subscription"),
        ("hooks/payments/transitions/one-time/purchase-complete.py", "unknown hook 'purchase-complete'"),
        ("hooks/auth/before-create.py", "unknown hook 'before-create' (known in auth/: before_create, before_sign_in, on_create, on_delete)"),
        ("hooks/payments/transitions/subscriptions/new-subscription.py", "not a hook location"),
        ("hooks/cron/weekly/report.py", "cron jobs live in hooks/cron/{daily,frequent}/"),
    ],
)
def test_misnamed_hooks_refuse_to_start(project, layered, relative, words):
    write(project / relative, MAIN)
    with pytest.raises(SetupError, match="The project layout has problems") as refused:
        layered()
    assert words in str(refused.value)
    assert relative in str(refused.value)


def test_schema_problems_are_listed_together(project, layered):
    write(project / "routes/hello/get.py", MAIN)
    write(project / "schemas/hello/gett.py", "class Schema: ...\n")
    write(project / "schemas/helo/get.py", "class Schema: ...\n")
    write(project / "schemas/hello/post.py", "x = 1\n")
    with pytest.raises(SetupError) as refused:
        layered()
    message = str(refused.value)
    assert "schemas/hello/gett.py: a schema file must be named one of get, post, put, patch, delete, index.py" in message
    assert "schemas/helo/get.py: no route 'helo' for this schema" in message
    assert "schemas/hello/post.py: a schema module must define class Schema(BaseModel) or def schema(...)" in message


def test_well_named_files_start(project, layered):
    write(project / "hooks/payments/transitions/subscription/new-subscription.py", MAIN)
    write(project / "hooks/cron/daily/report.py", MAIN)
    write(project / "hooks/auth/on_create.py", MAIN)
    write(project / "hooks/_shared.py", "HELPER = 1\n")
    write(project / "routes/hello/get.py", "from functions.api import RouteOptions\n\n\ndef main():\n    return {}\n")
    write(project / "schemas/hello/get.py", """
        from functions.schemas import BaseModel
        class Hello(BaseModel):
            name: str = "x"
        def schema():
            return Hello
    """)
    _, client = layered()
    assert client.get("hello").status == 200
