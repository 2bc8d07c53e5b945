"""``mgr stripe``: Stripe locally. ``fake`` runs the local fake Stripe API; ``pay`` completes a checkout on it.

``mgr emulator --stripe`` starts the same fake together with the emulators and points the
functions at it; ``mgr stripe fake`` runs it alone (for ``mgr serve``, or a suite whose ``.env``
sets ``STRIPE_API_BASE``/``STRIPE_WEBHOOK_SECRET`` to the values it prints).
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

app = typer.Typer(help="Stripe locally: the fake Stripe API and paying its checkouts.", no_args_is_help=True,
                  add_completion=False)


@app.command("fake")
def fake(
    forward_to: Annotated[str | None, typer.Option(help="Webhook URL (default: bm_api in the running emulators).")] = None,
    port: Annotated[int, typer.Option(help="Port of the fake Stripe API.")] = 12111,
) -> None:
    """Run the local fake Stripe API (seeded with the config's products and prices) until Ctrl-C."""
    from functions.cli.project import project_root
    from functions.emulator import detect_running
    from functions.emulator.local_stripe import LOCAL_SECRET_KEY, start_local_stripe, stripe_env

    root = project_root()
    env = stripe_env(root)
    urls = None if forward_to else detect_running(root=root)
    try:
        local = start_local_stripe(root, urls, env["STRIPE_WEBHOOK_SECRET"], webhook_url=forward_to, port=port)
    except OSError as error:
        typer.secho(f"{error} (start `mgr emulator`, or pass --forward-to)", fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Fake Stripe API at {local.fake.url}, events to {local.webhook_url}")
    typer.echo("The functions need (in .env, then restart the emulators):")
    typer.echo(f"  STRIPE_API_BASE={local.fake.url}")
    secret = env["STRIPE_WEBHOOK_SECRET"]
    typer.echo(f"  STRIPE_WEBHOOK_SECRET={secret}" if secret.startswith("whsec_local_") else
               "  STRIPE_WEBHOOK_SECRET: the one already configured (events are signed with it)")
    if env["STRIPE_SECRET_KEY"] == LOCAL_SECRET_KEY:
        typer.echo(f"  STRIPE_SECRET_KEY={LOCAL_SECRET_KEY}")
    typer.echo("Pay a checkout session: mgr stripe pay <session id>. Ctrl-C stops.")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        local.fake.stop()


@app.command("pay")
def pay(
    session_id: Annotated[str, typer.Argument(help="The Checkout Session id (`id` of POST payments/intent).")],
    port: Annotated[int, typer.Option(help="Port of the fake Stripe API.")] = 12111,
) -> None:
    """Complete a Checkout Session on the local fake as a paying customer; it sends the webhooks."""
    import requests

    try:
        response = requests.post(f"http://127.0.0.1:{port}/_local/checkout/sessions/{session_id}/pay", timeout=30)
    except requests.RequestException:
        typer.secho(f"No fake Stripe API on port {port}: start `mgr emulator --stripe`.", fg="red", err=True)
        raise typer.Exit(1) from None
    body = response.json()
    if response.status_code != 200:
        typer.secho(body.get("error", {}).get("message", response.text), fg="red", err=True)
        raise typer.Exit(1)
    for event in body["events"]:
        typer.echo(f"sent {event['type']} ({event['id']})")
