"""``mgr``: the command line. Commands stay thin and load the project only when they need it."""

from __future__ import annotations

import typer

app = typer.Typer(help="backend-manager for Python", no_args_is_help=True, add_completion=False)


@app.command()
def version() -> None:
    """Print the framework version."""
    from functions import __version__

    typer.echo(__version__)


def _register() -> None:
    from functions.cli import indexes, serve, setup_cmd, test_cmd

    app.command("serve")(serve.serve)
    app.command("indexes")(indexes.indexes)
    app.command("setup")(setup_cmd.setup)
    app.command("test", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(test_cmd.test)
    for name, module_name in (("cron", "cron_cmd"), ("payments", "payments_cmd"), ("emulator", "emulator_cmd"),
                              ("stripe", "stripe_cmd"), ("mail", "mail_cmd")):
        try:
            module = __import__(f"functions.cli.{module_name}", fromlist=["app"])
        except ImportError:
            continue
        app.add_typer(module.app, name=name)


def main() -> None:
    _register()
    app()
