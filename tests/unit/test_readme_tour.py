"""The README's five-minute tour works as written: its code blocks are run here."""

import re

from tests.unit.conftest import write


def _blocks(readme: str) -> dict[str, str]:
    blocks = re.findall(r"```python\n(# (\S+).*?\n.*?)```", readme, flags=re.S)
    return {path: code for code, path in blocks}


def test_readme_route_and_schema(bem_root, project, layered, firestore):
    blocks = _blocks((bem_root / "README.md").read_text())
    write(project / blocks_path(blocks, "routes/hello/get.py"), blocks["routes/hello/get.py"])
    write(project / blocks_path(blocks, "schemas/hello/get.py"), blocks["schemas/hello/get.py"])
    _, client = layered()

    assert client.get("hello").status == 401
    response = client.as_("basic").get("hello", query={"name": "  Ada  "})
    assert response.status == 200
    assert response.json == {"hello": "Ada", "plan": "basic"}
    assert response.properties["schema"]["name"] == "hello/get"
    assert firestore.get("users/_test-basic")["usage"]["requests"]["daily"] == 1
    too_long = client.as_("basic").get("hello", query={"name": "x" * 41})
    assert too_long.status == 400
    assert too_long.json["error"]["field"] == "name"


def blocks_path(blocks: dict[str, str], path: str) -> str:
    assert path in blocks, f"README lost its {path} example"
    return path
