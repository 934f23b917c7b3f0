"""``flask subscriptions send-due``: announce visible consultations to their subscribers (cron)."""
from __future__ import annotations

import click

from consult.subscriptions import bp
from consult.subscriptions import services


@bp.cli.command("send-due")
@click.option("--base-url", default=None, help="Start of the links in the messages (default: GOPY_PUBLIC_URL, "
                                                "else http://HOST:PORT/).")
def send_due_command(base_url: str | None) -> None:
    """Announce every visible consultation not yet announced, and send what is owed."""
    done = services.send_due(base_url)
    click.echo(f"sent {done.sent}, failed {done.failed}, taken by another process {done.skipped}")
    if done.failed:
        raise SystemExit(1)
