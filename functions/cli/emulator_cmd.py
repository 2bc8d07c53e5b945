"""``mgr emulator``: provision and run the Firebase Emulator Suite until Ctrl-C."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Annotated

import typer


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder (from ``start``/cwd upwards) holding ``firebase.json``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "firebase.json").is_file():
            return folder
    raise typer.BadParameter(f"no firebase.json in {here} or its parents")


def emulator(
    only: Annotated[str, typer.Option(help="Comma-separated emulators to start.")] = "auth,firestore,functions",
    import_dir: Annotated[
        Path | None,
        typer.Option("--import", help="Import emulator data from this folder."),
    ] = None,
    export_on_exit: Annotated[
        Path | None,
        typer.Option("--export-on-exit", help="Export emulator data here on exit."),
    ] = None,
    project: Annotated[str, typer.Option(help="A demo- project id.")] = "demo-bem",
    test_mode: Annotated[
        bool,
        typer.Option("--test", help="Run the functions in test mode (what `mgr test` expects when it reuses this suite)."),
    ] = False,
) -> None:
    """Start the local Firebase emulators (offline) and keep them up until Ctrl-C."""
    from rich.console import Console
    from rich.table import Table

    from functions.emulator import (
        EmulatorError,
        ProvisionError,
        detect_running,
        provision_all,
        start_emulators,
    )

    console = Console()
    root = find_project_root()
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    existing = detect_running(project, root)
    if existing is not None:
        console.print(f"[yellow]An emulator suite is already running[/] ({existing.hub}).")
        raise typer.Exit(1)

    try:
        prov = provision_all(root, wanted, console=console)
        with console.status(f"[bold]Starting emulators: {', '.join(wanted)}…"):
            handle = start_emulators(
                root, wanted, project, import_dir, export_on_exit, provisioned=prov, extra_env=_test_env() if test_mode else None
            )
    except (ProvisionError, EmulatorError) as exc:
        console.print(f"[red]✘[/] {exc}")
        raise typer.Exit(1) from exc

    table = Table(title=f"Emulators ready in {handle.ready_seconds:.1f}s", show_header=False)
    for name, url in handle.urls.lines():
        table.add_row(name, url)
    table.add_row("log", str(handle.log_path))
    console.print(table)
    for key, value in handle.urls.as_env().items():
        console.print(f"[dim]export {key}={value}[/]")
    console.print("Press Ctrl-C to stop.")

    def on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        while handle.running():
            time.sleep(0.5)
        console.print(f"[red]The emulators exited[/] (code {handle.proc.returncode}).")
        console.print(handle.log_tail())
    except KeyboardInterrupt:
        pass
    finally:
        with console.status("[bold]Stopping emulators…"):
            # ignore further Ctrl-C / SIGTERM so the clean shutdown can finish
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            code = handle.stop()
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, previous)
        console.print(f"[green]✔[/] Emulators stopped (exit {code}).")


if __name__ == "__main__":
    typer.run(emulator)


def _test_env() -> dict[str, str]:
    from functions.testing.test_env import FUNCTIONS_TEST_ENV

    return dict(FUNCTIONS_TEST_ENV)
