"""``mgr``: the command line. Commands stay thin and load the project only when they need it."""

from __future__ import annotations

import typer

app = typer.Typer(help="backend-manager for Python", no_args_is_help=True, add_completion=False)


@app.command()
def version() -> None:
    """Print the framework version."""
    from functions import __version__

    typer.echo(__version__)


_registered = False


def _register() -> None:
    """Attach every command once (tests and ``main`` may both call it)."""
    global _registered
    if _registered:
        return
    _registered = True
    from functions.cli import deploy_cmd, doctor_cmd, indexes, init_cmd, openapi_cmd, serve, setup_cmd, test_cmd

    app.command("serve")(serve.serve)
    app.command("openapi")(openapi_cmd.openapi)
    app.command("indexes")(indexes.indexes)
    app.command("setup")(setup_cmd.setup)
    app.command("init")(init_cmd.init)
    app.command("doctor")(doctor_cmd.doctor)
    app.command("test", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(test_cmd.test)
    app.command("deploy", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(deploy_cmd.deploy)
    for name, module_name in (
        ("cron", "cron_cmd"),
        ("payments", "payments_cmd"),
        ("emulator", "emulator_cmd"),
        ("stripe", "stripe_cmd"),
        ("firestore", "firestore_cmd"),
        ("auth", "auth_cmd"),
        ("logs", "logs_cmd"),
        ("mail", "mail_cmd"),
        ("newsletter", "newsletter_cmd"),
    ):
        try:
            module = __import__(f"functions.cli.{module_name}", fromlist=["app"])
        except ImportError:
            continue
        app.add_typer(module.app, name=name)
    from functions.cli import stripe_listen

    stripe_listen.register(app)


def main() -> None:
    _register()
    app()
