"""Migrations: the schema they build matches the models, and several processes starting
at once on a fresh database all come up."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

import kinema
from kinema.db import Base, make_engine
from kinema.migrations import migrate
from kinema.settings import Settings


def _import_all_models() -> None:
    # By file rather than pkgutil: a domain package may not have an __init__.py.
    root = Path(kinema.__file__).parent
    for path in sorted(root.rglob("models.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        importlib.import_module(".".join(parts))


@pytest.fixture
def fresh_engine(settings: Settings, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of the kind the suite runs on (SQLite file or PostgreSQL)."""
    if settings.uses_sqlite:
        engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield engine
        engine.dispose()
        return
    url = make_url(make_engine(settings.database_url).url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS kinema_fresh_migrations"))
        conn.execute(text("CREATE DATABASE kinema_fresh_migrations"))
    engine = create_engine(url.set(database="kinema_fresh_migrations"))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS kinema_fresh_migrations"))
    admin.dispose()


def test_migrations_build_the_schema_the_models_describe(fresh_engine: Engine) -> None:
    _import_all_models()
    migrate(fresh_engine)
    with fresh_engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_processes_starting_at_once_all_migrate(fresh_engine: Engine) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            migrate(fresh_engine)
        except BaseException as exc:
            errors.append(exc)

    starters = [threading.Thread(target=start) for _ in range(3)]
    for starter in starters:
        starter.start()
    for starter in starters:
        starter.join()
    assert errors == []
    assert "users" in inspect(fresh_engine).get_table_names()
    migrate(fresh_engine)  # and again: nothing left to do
