"""Flask CLI commands: seed the routine library, make demo accounts."""

import click
from flask import Flask
from flask.cli import with_appcontext

from . import seed as seeding
from .reminders import service as reminders


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(reminders_group)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Add or update the routine library (running it twice changes nothing)."""
    added, updated = seeding.seed_routines()
    click.echo(f"Routine library: {added} added, {updated} updated.")


@click.command("demo")
@with_appcontext
@click.option("--days", default=90, show_default=True, help="Days of history to make.")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
def demo_command(days: int, if_empty: bool) -> None:
    """Make a demo patient with DAYS of history and a clinician they share with."""
    logins = seeding.make_demo(days, only_if_empty=if_empty)
    if logins is None:
        click.echo("Demo accounts skipped: the database already has users.")
        return
    for role, (email, password) in logins.items():
        click.echo(f"Demo {role}: {email} / {password}")


@click.group("reminders")
def reminders_group() -> None:
    """Reminders by Web Push."""


@reminders_group.command("send")
@with_appcontext
def send_reminders_command() -> None:
    """Send the reminders due now, each once (run it every few minutes)."""
    click.echo(reminders.send_due().line())
