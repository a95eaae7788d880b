"""Flask CLI commands: seed the routine library, make demo accounts, back up and restore."""

import subprocess
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import backups
from . import seed as seeding
from .extensions import db
from .reminders import service as reminders


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
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


def _echo_counts(counts: dict[str, int]) -> None:
    width = max(map(len, counts), default=0)
    for table, rows in counts.items():
        click.echo(f"  {table:<{width}}  {rows:>9,} rows")
    click.echo(f"  {'total':<{width}}  {sum(counts.values()):>9,} rows")


def _database_url() -> str:
    return current_app.config["DATABASE_URL"]


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent copy of the database to PATH while the app keeps serving."""
    try:
        counts = backups.backup(_database_url(), path)
    except (backups.ToolMissing, ValueError) as error:
        raise click.ClickException(str(error)) from error
    except subprocess.CalledProcessError as error:
        raise click.ClickException(f"pg_dump failed: {error.stderr.decode().strip()}") from error
    click.echo(f"Backed up to {path} ({path.stat().st_size:,} bytes):")
    _echo_counts(counts)


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(path: Path, force: bool) -> None:
    """Restore the backup at PATH into this app's database, which must be empty."""
    # The app's own connections must not hold the database while it is replaced.
    db.engine.dispose()
    try:
        counts = backups.restore(_database_url(), path, force=force)
    except (backups.NotEmpty, backups.ToolMissing, ValueError) as error:
        raise click.ClickException(str(error)) from error
    except subprocess.CalledProcessError as error:
        raise click.ClickException(f"pg_restore failed: {error.stderr.decode().strip()}") from error
    click.echo(f"Restored {path} into the database:")
    _echo_counts(counts)


@click.group("reminders")
def reminders_group() -> None:
    """Reminders by Web Push."""


@reminders_group.command("send")
@with_appcontext
def send_reminders_command() -> None:
    """Send the reminders due now, each once (run it every few minutes)."""
    click.echo(reminders.send_due().line())
