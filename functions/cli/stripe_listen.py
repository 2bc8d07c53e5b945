"""``mgr stripe listen``: forward Stripe test events to the local webhook with the Stripe CLI.

    mgr stripe listen                      # to bm_api in the running emulators (else mgr serve on :5002)
    mgr stripe listen --write-env          # also store the CLI's signing secret in .env
    mgr stripe listen --forward-to URL --events checkout.session.completed,invoice.paid

The Stripe CLI signs what it forwards with its own secret (``stripe listen --print-secret``); the
webhook route verifies ``Stripe-Signature`` with ``STRIPE_WEBHOOK_SECRET``, so the functions need
that secret. firebase-tools gives ``.env`` precedence over the shell, so ``--write-env`` writes it
to ``.env`` (``STRIPE_WEBHOOK_SECRET`` only) and the emulators must be restarted to load it; without
the flag the command says whether the configured secret matches, never printing a secret.

Exit codes: the Stripe CLI's; 2 when it is not installed or there is no project; 1 when it cannot
give its signing secret (not logged in: ``stripe login``, or pass ``STRIPE_SECRET_KEY``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import typer

from functions.cli.target import EXIT_FAILED, EXIT_USAGE, fail, note

app = typer.Typer(help="Stripe locally: forward test events with the Stripe CLI.", no_args_is_help=True)
WEBHOOK_PATH = "/backend-manager/payments/webhook?processor=stripe"
SERVE_URL = "http://127.0.0.1:5002"
INSTALL_HINT = "Install it: https://docs.stripe.com/stripe-cli (e.g. `brew install stripe/stripe-cli/stripe`), then `stripe login`."


def webhook_url(root: Path) -> str:
    """bm_api's webhook in the running functions emulator, else on ``mgr serve``'s port."""
    from functions.emulator import DEFAULT_PROJECT, detect_running

    urls = detect_running(DEFAULT_PROJECT, root, timeout=0.5)
    base = urls.function_url("bm_api") if urls is not None and urls.functions else SERVE_URL
    return base + WEBHOOK_PATH


def stripe_cli_env(environ: dict[str, str] | os._Environ) -> dict[str, str]:
    """The Stripe CLI's environment: ``STRIPE_API_KEY`` from STRIPE_SECRET_KEY when that is a test key
    (in the environment, not on the command line where ``ps`` shows it; live keys are never used)."""
    env = dict(environ)
    key = environ.get("STRIPE_SECRET_KEY") or ""
    if key.startswith(("sk_test_", "rk_test_")) and not env.get("STRIPE_API_KEY"):
        env["STRIPE_API_KEY"] = key
    return env


def signing_secret(stripe: str, env: dict[str, str]) -> str:
    """The Stripe CLI's webhook signing secret (``whsec_...``). Raises RuntimeError with the CLI's reason."""
    proc = subprocess.run([stripe, "listen", "--print-secret"], capture_output=True, text=True, timeout=60, env=env)
    secret = proc.stdout.strip().splitlines()[-1].strip() if proc.stdout.strip() else ""
    if proc.returncode != 0 or not secret.startswith("whsec_"):
        reason = (proc.stderr or proc.stdout).strip().splitlines()
        raise RuntimeError(reason[-1] if reason else f"exit {proc.returncode}")
    return secret


def write_env_secret(env_file: Path, secret: str) -> None:
    """Set STRIPE_WEBHOOK_SECRET in ``env_file`` (created if absent), leaving every other line as it is."""
    from dotenv import set_key

    env_file.touch(exist_ok=True)
    set_key(str(env_file), "STRIPE_WEBHOOK_SECRET", secret, quote_mode="never")


def configured_secret(root: Path) -> str | None:
    """What the functions would use: ``.env`` first (as firebase-tools does), then the environment."""
    from dotenv import dotenv_values

    env_file = root / ".env"
    value = dotenv_values(env_file).get("STRIPE_WEBHOOK_SECRET") if env_file.is_file() else None
    return value or os.environ.get("STRIPE_WEBHOOK_SECRET") or None


def listen(
    forward_to: str = typer.Option(None, "--forward-to", help="Webhook URL (default: the local bm_api)"),
    events: str = typer.Option(None, "--events", help="Comma-separated event types (default: all)"),
    write_env: bool = typer.Option(False, "--write-env", help="Write the CLI's signing secret to .env"),
) -> None:
    """Run `stripe listen --forward-to <local webhook>` until Ctrl-C."""
    from functions.cli.project import project_root

    stripe = shutil.which("stripe")
    if stripe is None:
        raise fail(f"The Stripe CLI is not installed (no `stripe` on PATH). {INSTALL_HINT}", EXIT_USAGE)
    root = project_root()
    from functions.config import load_dotenv_for

    load_dotenv_for(root, "development")
    cli_env = stripe_cli_env(os.environ)
    try:
        secret = signing_secret(stripe, cli_env)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        raise fail(f"The Stripe CLI gave no signing secret: {error}. Run `stripe login` or set a test "
                   "STRIPE_SECRET_KEY.", EXIT_FAILED) from None
    if write_env:
        write_env_secret(root / ".env", secret)
        typer.secho("Wrote STRIPE_WEBHOOK_SECRET (the Stripe CLI's signing secret) to .env: restart the emulators "
                    "or mgr serve to load it.", fg="green", err=True)
    elif configured_secret(root) != secret:
        typer.secho("STRIPE_WEBHOOK_SECRET differs from the Stripe CLI's signing secret: forwarded events will be "
                    "refused. Re-run with --write-env (writes .env) and restart the emulators.", fg="yellow", err=True)
    url = forward_to or webhook_url(root)
    command = [stripe, "listen", "--forward-to", url, *(["--events", events] if events else [])]
    note(f"Forwarding Stripe events to {url} (Ctrl-C to stop)")
    try:
        code = subprocess.call(command, env=cli_env)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code=code)


app.command("listen")(listen)


def register(root_app: typer.Typer) -> None:
    """Add ``listen`` to the ``stripe`` group when another module owns it, else add this group."""
    try:
        from functions.cli import stripe_cmd  # type: ignore[attr-defined]
    except ImportError:
        root_app.add_typer(app, name="stripe")
        return
    stripe_cmd.app.command("listen")(listen)
