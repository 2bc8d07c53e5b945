"""The legacy {command, payload} API: aliases, REST equivalents, routes/api modules, hooks."""

from tests.unit.conftest import write


def test_alias_runs_the_rest_equivalent(bm):
    response = bm.command("generate-uuid", {"version": 5, "name": "x", "namespace": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"})
    assert response.status == 200
    assert response.json == {"uuid": "05b16a01-46c6-56dd-bd6e-c6dfb4a1427a", "version": 5}


def test_full_command_name_and_credentials_beside_the_command(bm, accounts):
    response = bm.post("", {"command": "test:authenticate", "authenticationToken": accounts["basic"].token})
    assert response.status == 200
    assert response.json["uid"] == accounts["basic"].uid


def test_unknown_command_is_404(bm):
    response = bm.command("nope:nothing")
    assert response.status == 404
    assert "Command 'nope:nothing' not found" in response.error


def test_admin_command_refuses_non_admin(bm):
    response = bm.as_("basic").command("admin:firestore-read", {"path": "users/x"})
    assert response.status == 403


def test_project_command_module_and_pre_post_hooks(project, layered):
    write(project / "routes/api/general/shout.py", "def main(settings):\n    return {'shout': settings['text'].upper()}\n")
    manager, client = layered()
    calls = []

    def hook(command, stage, assistant, response=None):
        calls.append((command, stage))
        if stage == "post":
            response.headers["x-hooked"] = "yes"

    manager.on_api(hook)
    response = client.command("general:shout", {"text": "hi <b>there</b>"})
    assert response.status == 200
    assert response.json == {"shout": "HI <B>THERE</B>"}  # trimmed only, as BEM 5.11
    assert response.headers["x-hooked"] == "yes"
    assert calls == [("general:shout", "pre"), ("general:shout", "post")]


def test_pre_hook_can_refuse(project, layered):
    from functions.errors import Forbidden

    write(project / "routes/api/general/secret.py", "def main():\n    return {'ran': True}\n")
    manager, client = layered()

    def guard(command, stage, assistant, response=None):
        if stage == "pre":
            raise Forbidden("commands are closed")

    manager.on_api(guard)
    response = client.command("general:secret")
    assert response.status == 403
    assert response.error == "commands are closed"
