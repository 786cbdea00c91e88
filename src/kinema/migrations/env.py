"""Alembic environment, driven from ``kinema.migrations.migrate`` with a live
connection (``config.attributes["connection"]``)."""

from __future__ import annotations

import logging

from alembic import context

from kinema.db import Base

config = context.config
target_metadata = Base.metadata

# Alembic logs every step at INFO; start-up output should stay quiet.
logging.getLogger("alembic").setLevel(logging.WARNING)


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("Run migrations through kinema.migrations.migrate(engine).")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
