"""``mgr newsletter preview [--campaign ID] [--out FILE]``: generate one issue locally and write its HTML.

Runs the real generator (sources, brand fit, the issue, the template) with the configured AI
provider; without a key in development that is the ``test`` provider, whose issue is a labelled
placeholder built from the real sources. A preview writes nothing: no report e-mail, no source
marked used, and it works while ``marketing.newsletter.enabled`` is false. ``--campaign`` reads
``marketing-campaigns/{ID}`` (its ``settings.name`` and ``utm``) from Firestore (the emulator by default).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import typer

from functions.cli.project import load_manager, project_root

app = typer.Typer(help="The newsletter generator.", no_args_is_help=True, add_completion=False)


@app.command("preview")
def preview(
    campaign_id: str = typer.Option(None, "--campaign", help="marketing-campaigns/{ID} to generate for"),
    out: Path = typer.Option(Path("newsletter-preview.html"), "--out", help="Where to write the HTML"),
    emulator: bool = typer.Option(True, "--emulator/--no-emulator", help="Read Firestore from the running emulator (default)"),
) -> None:
    """Generate one issue and write its HTML."""
    from functions.ai.errors import AIError
    from functions.marketing.generators import newsletter

    root = project_root()
    if emulator:
        from functions.emulator.urls import read_ports

        host, port = read_ports(root)["firestore"]
        os.environ.setdefault("FIRESTORE_EMULATOR_HOST", f"{host}:{port}")
        os.environ.setdefault("GCLOUD_PROJECT", "demo-bem")
    manager = load_manager(root)
    campaign: dict = {"id": "preview", "settings": {"name": f"{manager.config.brand.name} Newsletter"}}
    if campaign_id:
        snapshot = manager.db.collection("marketing-campaigns").document(campaign_id).get()
        if not snapshot.exists:
            typer.secho(f"No campaign marketing-campaigns/{campaign_id}.", fg="red", err=True)
            raise typer.Exit(code=1)
        campaign = {**(snapshot.to_dict() or {}), "id": campaign_id}
    from functions.marketing.generators.newsletter.config import newsletter_config

    if not newsletter_config(manager).content:
        typer.secho("No marketing.newsletter.content entry in backend-manager-config.json (docs/marketing.md#newsletter).", fg="red", err=True)
        raise typer.Exit(code=1)
    try:
        result = newsletter.generate(manager, campaign, now=dt.datetime.now(dt.UTC), preview=True)
    except AIError as error:
        typer.secho(f"The AI failed: {error.message}", fg="red", err=True)
        raise typer.Exit(code=1) from None
    if result is None:
        typer.secho("Nothing to preview: no new source (or none fits the brand). See the log above.", fg="yellow", err=True)
        raise typer.Exit(code=1)
    out.write_text(result["content"], encoding="utf-8")
    steps = result["meta"]["steps"]
    typer.echo(f"Subject:   {result['subject']}")
    typer.echo(f"Preheader: {result['preheader']}")
    typer.echo(f"Sources:   {result['meta']['sources']['filtered']} of {result['meta']['sources']['total']} fit the brand")
    typer.echo(f"AI:        {steps['structure'].get('provider')} {steps['structure'].get('model') or ''}".rstrip())
    typer.echo(str(out.resolve()))
