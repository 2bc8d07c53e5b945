"""Route resolution: method files, index fallback, 404/405, prefixes, project layers."""

import pytest

from functions.api.routes import RouteTable
from functions.errors import SetupError
from tests.unit.conftest import write


def test_both_prefixes_reach_the_same_route(bm):
    for prefix in ("/backend-manager", "/bm_api", "/bm_api/backend-manager"):
        client = type(bm)(bm.transport, prefix=prefix, accounts=bm.accounts)
        assert client.get("test/health").status == 200


def test_unknown_route_is_404_json(bm):
    response = bm.get("no/such/route")
    assert response.status == 404
    assert response.json["error"]["message"] == "Route '/no/such/route' not found"


def test_wrong_method_is_405_listing_allowed(bm):
    response = bm.post("test/health")
    assert response.status == 405
    assert "allowed: GET" in response.error


def test_bare_path_redirects_to_brand_url(bm, manager):
    response = bm.get("")
    assert response.status == 302
    assert response.headers["Location"] == manager.config.brand.url


def test_method_file_wins_over_index_and_index_is_fallback(project, layered):
    write(project / "routes/hello/get.py", "def main():\n    return {'from': 'get'}\n")
    write(project / "routes/hello/index.py", "def main(request):\n    return {'from': 'index', 'method': request.method}\n")
    _, client = layered()
    assert client.get("hello").json == {"from": "get"}
    assert client.put("hello").json == {"from": "index", "method": "PUT"}


def test_project_route_directory_overrides_builtin(project, layered):
    write(project / "routes/test/health/get.py", "def main():\n    return {'status': 'project'}\n")
    _, client = layered()
    assert client.get("test/health").json == {"status": "project"}


def test_misnamed_route_file_fails_at_startup(tmp_path):
    write(tmp_path / "routes/hello/gte.py", "def main():\n    return {}\n")
    with pytest.raises(SetupError, match="must be named one of"):
        RouteTable.discover([tmp_path / "routes"])


def test_route_without_main_refuses_to_start(project, layered):
    write(project / "routes/broken/get.py", "x = 1\n")
    with pytest.raises(SetupError, match=r"routes/broken/get.py: a route module must define a function main"):
        layered()


def test_unknown_injected_parameter_is_a_setup_error(tmp_path):
    write(tmp_path / "routes/odd/get.py", "def main(assistant, banana):\n    return {}\n")
    table = RouteTable.discover([tmp_path / "routes"])
    with pytest.raises(SetupError, match="'banana' cannot be injected"):
        table.resolve("odd", "GET")


def test_handler_gets_parameters_by_name(project, layered):
    write(
        project / "routes/echo/post.py",
        """
        def main(settings, user, config, data):
            return {"settings": settings, "anonymous": not user.authenticated, "brand": config.brand.id, "raw": data}
        """,
    )
    _, client = layered()
    response = client.post("echo", {"a": 1}, query={"b": "2"})
    assert response.status == 200
    assert response.json == {"settings": {"a": 1, "b": "2"}, "anonymous": True, "brand": "demo", "raw": {"a": 1, "b": "2"}}


def test_environment_limited_route_is_404_elsewhere(project, layered, monkeypatch):
    write(
        project / "routes/devonly/get.py",
        """
        from functions.api import RouteOptions
        OPTIONS = RouteOptions(environments=("development",))
        def main():
            return {"ok": True}
        """,
    )
    _, client = layered()
    assert client.get("devonly").status == 404


@pytest.mark.parametrize("path", ["/bm_api/backend-manager/test/health/", "//backend-manager//test//health", "/backend-manager/bm_api/test/health"])
def test_prefixes_and_stray_slashes_are_ignored(bm, path):
    client = type(bm)(bm.transport, prefix="", accounts=bm.accounts)
    assert client.get(path).status == 200
