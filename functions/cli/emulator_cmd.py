"""``mgr emulator``: provision and run the Firebase Emulator Suite until Ctrl-C (or ``mgr emulator stop``).

Once ready it prints where everything is: ``bm_api`` in its function and Hosting forms, the
emulator ports, the Emulator UI, where the admin key comes from, and how to stop. The suite's
process ids are recorded in ``logs/emulator-state.json`` so ``mgr emulator stop`` (another
terminal) stops exactly these processes. ``--stripe`` also runs the local fake Stripe API,
``--marketing`` the local fake SendGrid Marketing and Beehiiv APIs, ``--paypal`` the local fake PayPal API,
``--chargebee`` the local fake Chargebee API.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from functions.emulator.local_stripe import LOCAL_STRIPE_NOTE

app = typer.Typer(help="Run the local Firebase Emulator Suite (offline).", invoke_without_command=True,
                  add_completion=False)


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder (from ``start``/cwd upwards) holding ``firebase.json``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "firebase.json").is_file():
            return folder
    raise typer.BadParameter(f"no firebase.json in {here} or its parents")


@app.callback()
def emulator(
    ctx: typer.Context,
    only: Annotated[str, typer.Option(help="Comma-separated emulators to start.")] = "auth,firestore,functions,hosting",
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
    stripe: Annotated[
        bool,
        typer.Option("--stripe", help="Also run the local fake Stripe API (seeded, signed webhooks); no account needed."),
    ] = False,
    chargebee: Annotated[
        bool,
        typer.Option("--chargebee", help="Also run the local fake Chargebee API (hosted pages, webhooks); no account needed."),
    ] = False,
    marketing: Annotated[
        bool,
        typer.Option("--marketing", help="Also run the local fake SendGrid Marketing and Beehiiv APIs (contacts, campaigns)."),
    ] = False,
    paypal: Annotated[
        bool,
        typer.Option("--paypal", help="Also run the local fake PayPal API (plans seeded from the config); no account needed."),
    ] = False,
) -> None:
    """Start the local Firebase emulators (offline) and keep them up until Ctrl-C or `mgr emulator stop`."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console

    from functions.cli.progress import step_bar
    from functions.emulator import EmulatorError, ProvisionError, detect_running, provision_all, start_emulators
    from functions.emulator.local_stripe import hidden_by_dotenv, start_local_stripe, stripe_env
    from functions.emulator.state import clear_state, write_state

    console = Console()
    root = find_project_root()
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    existing = detect_running(project, root)
    if existing is not None:
        console.print(f"[yellow]An emulator suite is already running[/] ({existing.hub}); `mgr emulator stop` stops it.")
        raise typer.Exit(1)
    key_source = admin_key_source(root, test_mode)
    extra_env = _test_env() if test_mode else {}
    local = local_chargebee = local_marketing = local_paypal = None
    if marketing:
        from functions.emulator.local_marketing import marketing_env

        extra_env.update(marketing_env(extra_env))
    if paypal:
        from functions.emulator.local_paypal import paypal_env

        extra_env.update(paypal_env())
    if stripe:
        extra_env.update(stripe_env(root, extra_env))
    if stripe or paypal:
        hidden = [] if test_mode else hidden_by_dotenv(root, list(extra_env))
        if hidden:
            console.print(f"[red]✘[/] .env sets {', '.join(hidden)} to an empty value, which the functions would get "
                          "instead of the local fake's: delete or comment out those lines.")
            raise typer.Exit(1)
    if chargebee:
        from functions.emulator.local_chargebee import chargebee_env

        extra_env.update(chargebee_env(extra_env))
        hidden = [] if test_mode else hidden_by_dotenv(root, list(chargebee_env()))
        if hidden:
            console.print(f"[red]✘[/] .env sets {', '.join(hidden)} to an empty value, which the functions would get "
                          "instead of the local fake's: delete or comment out those lines.")
            raise typer.Exit(1)

    try:
        with step_bar(console) as bar:
            task = bar.add_task("Provisioning", total=None)

            def provisioning(label: str, done: int, total: int) -> None:
                bar.update(task, description=f"Provisioning: {label}" if done < total else "Provisioned",
                           completed=done, total=total)

            prov = provision_all(root, wanted, on_step=provisioning)
            task = bar.add_task(f"Starting {', '.join(wanted)}", total=None)

            def starting(pending: str, reached: int, total: int) -> None:
                bar.update(task, description=f"Starting: waiting for {pending}" if reached < total else "Emulators ready",
                           completed=reached, total=total)

            handle = start_emulators(root, wanted, project, import_dir, export_on_exit, provisioned=prov,
                                     extra_env=extra_env or None, ignore_dotenv=test_mode, on_progress=starting)
        if stripe:
            local = start_local_stripe(root, handle.urls, extra_env["STRIPE_WEBHOOK_SECRET"])
        if chargebee:
            from functions.emulator.local_chargebee import start_local_chargebee, webhook_key

            local_chargebee = start_local_chargebee(handle.urls, webhook_key(root, extra_env))
        if marketing:
            from functions.emulator.local_marketing import start_local_marketing
            local_marketing = start_local_marketing(root)
        if paypal:
            from functions.emulator.local_paypal import start_local_paypal

            local_paypal = start_local_paypal(root)
    except (ProvisionError, EmulatorError, OSError) as exc:
        console.print(f"[red]✘[/] {exc}")
        if "handle" in locals():
            handle.stop()
        raise typer.Exit(1) from exc

    handle.remember_children()
    info = {"project": project, "hub": handle.urls.hub, "root": str(root)}
    write_state(root, handle.pid, handle._known, info)
    running = detect_running(project, root)
    console.print(ready_table(handle, key_source, local, ui=running.ui if running else None, chargebee=local_chargebee,
                              marketing=local_marketing, paypal=local_paypal))

    def on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        last_record = time.monotonic()
        while handle.running():
            time.sleep(0.5)
            if time.monotonic() - last_record > 5:
                handle.remember_children()
                write_state(root, handle.pid, handle._known, info)
                last_record = time.monotonic()
        console.print(f"[red]The emulators exited[/] (code {handle.proc.returncode}).")
        console.print(handle.log_tail())
    except KeyboardInterrupt:
        pass
    finally:
        with console.status("[bold]Stopping emulators…"):
            # ignore further Ctrl-C / SIGTERM so the clean shutdown can finish
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            if local is not None:
                local.fake.stop()
            if local_chargebee is not None:
                local_chargebee.stop()
            if local_marketing is not None:
                local_marketing.stop()
            if local_paypal is not None:
                local_paypal.stop()
            code = handle.stop()
            clear_state(root)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, previous)
        console.print(f"[green]✔[/] Emulators stopped (exit {code}).")


@app.command("stop")
def stop() -> None:
    """Stop the suite `mgr emulator` started (its recorded processes only)."""
    from functions.emulator.state import stop_recorded

    typer.echo(stop_recorded(find_project_root()))


def admin_key_source(root: Path, test_mode: bool) -> str:
    """Where the functions' BACKEND_MANAGER_KEY comes from; fills .env's generated secrets first.

    firebase-tools gives the functions' ``.env`` precedence over the shell's environment.
    """
    import os

    from dotenv import dotenv_values

    from functions.config.secrets import fill_generated

    if test_mode:
        return "test key (functions/testing/test_env.py); .env is not read in test mode"
    filled = fill_generated(root / ".env", root / ".env.example")
    if "BACKEND_MANAGER_KEY" in filled:
        return ".env (generated now)"
    if dotenv_values(root / ".env").get("BACKEND_MANAGER_KEY"):
        return ".env" + (" (overrides the environment's)" if os.environ.get("BACKEND_MANAGER_KEY") else "")
    return "environment"


def ready_table(handle: Any, key_source: str, local: Any = None, ui: str | None = None, chargebee: Any = None,
                marketing: Any = None, paypal: Any = None) -> Any:
    from rich.table import Table

    urls = handle.urls
    table = Table(title=f"Emulators ready in {handle.ready_seconds:.1f}s", show_header=False)
    for form, base in urls.api_bases().items():
        table.add_row(f"bm_api ({form})", base)
    for name in ("auth", "firestore", "functions", "hosting"):
        if name in handle.ports and getattr(urls, name):
            table.add_row(name, "{}:{}".format(*handle.ports[name]))
    table.add_row("emulator UI", ui or "off (firebase.json emulators.ui.enabled)")
    table.add_row("admin key", f"BACKEND_MANAGER_KEY from {key_source}")
    if local is not None:
        table.add_row("stripe (local fake)", f"{local.fake.url}  {LOCAL_STRIPE_NOTE}")
    if chargebee is not None:
        from functions.emulator.local_chargebee import LOCAL_CHARGEBEE_NOTE

        table.add_row("chargebee (local fake)", f"{chargebee.url}  {LOCAL_CHARGEBEE_NOTE}")
    if marketing is not None:
        from functions.emulator.local_marketing import LOCAL_MARKETING_NOTE
        table.add_row("marketing (local fakes)", f"{marketing.sendgrid.url}  {marketing.beehiiv.url}  {LOCAL_MARKETING_NOTE}")
    if paypal is not None:
        table.add_row("paypal (local fake)", paypal.url)
    table.add_row("log", str(handle.log_path))
    table.add_row("stop", "Ctrl-C here, or `mgr emulator stop` from another terminal")
    return table


def _test_env() -> dict[str, str]:
    from functions.testing.test_env import FUNCTIONS_TEST_ENV

    return dict(FUNCTIONS_TEST_ENV)
