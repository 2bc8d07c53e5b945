"""mgr mail list | show | open: the local mailbox a developer reads."""

from pathlib import Path

from typer.testing import CliRunner

from functions.cli import _register, app

_register()
runner = CliRunner()


def test_mail_list_show_and_open_read_the_local_mailbox(manager, mailbox, bem_root, monkeypatch):
    monkeypatch.chdir(bem_root)
    result = manager.email.send(to={"email": "ada@example.org", "name": "Ada"}, subject="Your receipt", sender="orders",
                                data={"content": {"title": "Thanks", "message": "Order **42** is paid."}})
    listed = runner.invoke(app, ["mail", "list", "--no-emulator"])
    assert listed.exit_code == 0 and result.id in listed.output and "Your receipt" in listed.output and "ada@example.org" in listed.output
    shown = runner.invoke(app, ["mail", "show", result.id, "--no-emulator"])
    assert shown.exit_code == 0
    assert "From:       orders@example.com" in shown.output and "List-Unsubscribe:" in shown.output and "Order 42 is paid." in shown.output
    opened = runner.invoke(app, ["mail", "open", result.id, "--no-emulator", "--no-browser"])
    path = Path(opened.output.strip())
    assert opened.exit_code == 0 and path.is_file() and "Order <strong>42</strong> is paid." in path.read_text()
    missing = runner.invoke(app, ["mail", "show", "nope", "--no-emulator"])
    assert missing.exit_code == 1
