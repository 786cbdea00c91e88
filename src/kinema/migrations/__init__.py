"""Schema migrations (Alembic), applied at start-up by ``migrate``.

Each domain adds its own revision in ``versions/`` chained after the previous one
(``0001_accounts`` -> ``0002_studio`` -> ...). No ``alembic.ini`` is needed: the
configuration is built here.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

MIGRATIONS_DIR = Path(__file__).resolve().parent

# Any constant works; every Kinema process agrees on it so only one migrates at a time.
_PG_ADVISORY_LOCK_ID = 0x6B696E656D61


def alembic_config() -> Config:
    """An Alembic configuration pointing at Kinema's migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """Serialise migrations between processes sharing one SQLite file."""
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrate.lock")
    with open(lock_path, "a+") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def migrate(engine: Engine) -> None:
    """Upgrade the database to the newest schema. Safe when several processes start
    at once: on PostgreSQL they queue on an advisory lock, on SQLite on a lock file."""
    config = alembic_config()
    if engine.dialect.name == "sqlite":
        with _sqlite_file_lock(engine), engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        return
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_ADVISORY_LOCK_ID}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
