"""Schemas: 400 naming the field path, defaults, function schemas, Clamp, Clean, extras."""

from tests.unit.conftest import write

ROUTE = "def main(settings):\n    return settings\n"


def test_missing_required_field_is_400_naming_it(project, layered):
    write(project / "schemas/thing/post.py", "from functions.schemas import BaseModel\nclass Schema(BaseModel):\n    name: str\n")
    write(project / "routes/thing/post.py", ROUTE)
    _, client = layered()
    response = client.post("thing", {})
    assert response.status == 400
    assert response.error == "Required key name is missing in settings"
    assert response.json["error"]["field"] == "name"


def test_nested_field_path_is_named(project, layered):
    write(
        project / "schemas/order/post.py",
        """
        from pydantic import Field
        from functions.schemas import BaseModel
        class Item(BaseModel):
            sku: str
            quantity: int = Field(ge=1)
        class Schema(BaseModel):
            items: list[Item]
        """,
    )
    write(project / "routes/order/post.py", ROUTE)
    _, client = layered()
    response = client.post("order", {"items": [{"sku": "a", "quantity": 1}, {"sku": "b", "quantity": 0}]})
    assert response.status == 400
    assert response.json["error"]["field"] == "items.1.quantity"
    assert "greater than or equal to 1" in response.error


def test_defaults_coercion_and_dropped_unknown_keys(project, layered):
    write(
        project / "schemas/thing/post.py",
        "from functions.schemas import BaseModel\nclass Schema(BaseModel):\n    count: int = 10\n    label: str = 'x'\n",
    )
    write(project / "routes/thing/post.py", ROUTE)
    _, client = layered()
    assert client.post("thing", {"count": "7", "other": 1}).json == {"count": 7, "label": "x"}


def test_include_non_schema_settings_keeps_extras_sanitized_when_the_route_sanitizes(project, layered):
    write(project / "schemas/thing/post.py", "from functions.schemas import BaseModel\nclass Schema(BaseModel):\n    count: int = 1\n")
    write(
        project / "routes/thing/post.py",
        "from functions.api import RouteOptions\nOPTIONS = RouteOptions(include_non_schema_settings=True, sanitize=True)\n"
        "def main(settings):\n    return {'count': settings.count, 'extra': settings.model_extra}\n",
    )
    _, client = layered()
    assert client.post("thing", {"other": "<b>x</b>"}).json == {"count": 1, "extra": {"other": "x"}}


def test_function_schema_gives_plan_dependent_limits(project, layered):
    write(
        project / "schemas/export/post.py",
        """
        from typing import Annotated
        from pydantic import Field
        from functions.schemas import BaseModel
        def schema(user):
            limit = 1000 if user.subscription.active else 100
            class Schema(BaseModel):
                rows: Annotated[int, Field(ge=1, le=limit)] = 10
            return Schema
        """,
    )
    write(project / "routes/export/post.py", ROUTE)
    _, client = layered()
    assert client.as_("basic").post("export", {"rows": 500}).status == 400
    assert client.as_("premium-active").post("export", {"rows": 500}).json == {"rows": 500}


def test_clamp_and_clean_reproduce_bem_rules(project, layered):
    write(
        project / "schemas/soft/post.py",
        """
        from typing import Annotated
        from functions.schemas import BaseModel, Clamp, Clean
        class Schema(BaseModel):
            n: Annotated[int, Clamp(1, 5)] = 1
            s: Annotated[str, Clamp(hi=3)] = ""
            name: Clean[str] = ""
        """,
    )
    write(project / "routes/soft/post.py", ROUTE)
    _, client = layered()
    assert client.post("soft", {"n": 99, "s": "abcdef", "name": "  Ada \t\n  Lovelace\x07 "}).json == {
        "n": 5, "s": "abc", "name": "Ada Lovelace"
    }
    assert client.post("soft", {"n": -3}).json["n"] == 1


def test_index_schema_is_the_fallback(project, layered):
    write(project / "schemas/thing/index.py", "from functions.schemas import BaseModel\nclass Schema(BaseModel):\n    a: int = 0\n")
    write(project / "routes/thing/index.py", ROUTE)
    _, client = layered()
    assert client.put("thing", {"a": "3"}).json == {"a": 3}


def test_wrong_type_is_400(bm):
    response = bm.post("general/uuid", {"version": "four"})
    assert response.status == 400
    assert response.json["error"]["field"] == "version"
