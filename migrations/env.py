"""Alembic environment for CrampCare: runs migrations against the app's own engine."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None:
    # Leave the app's own loggers (its request and error logs) working after a migration.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db


def _render_item(type_, obj, autogen_context):
    # Migrations name plain column types, never the app's Python-side wrappers.
    if type_ == "type" and hasattr(obj, "impl") and obj.__module__.startswith("crampcare"):
        return f"sa.{obj.impl!r}"
    return False


def _options() -> dict:
    # SQLite cannot ALTER most things in place: batch mode rebuilds the table.
    return {
        "target_metadata": db.metadata,
        "render_as_batch": True,
        "compare_type": True,
        "render_item": _render_item,
        **current_app.extensions["migrate"].configure_args,
    }


def _skip_empty_revisions(context_, revision, directives) -> None:
    script = directives[0]
    if getattr(config.cmd_opts, "autogenerate", False) and script.upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_offline() -> None:
    """Write the SQL of the migrations instead of running it."""
    url = db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
    context.configure(url=url, literal_binds=True, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the migrations on a connection of the app's engine."""
    with db.engine.connect() as connection:
        context.configure(
            connection=connection, process_revision_directives=_skip_empty_revisions, **_options()
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
