"""Shared fixtures: a real settings object on a temporary data directory, a real runtime
(database migrated, storage, Huey), the web app, and users made through the accounts
service.

The schema is migrated once per test session and every test starts from an empty database
at the newest schema: on SQLite a copy of a template file in the test's data directory;
on PostgreSQL (``KINEMA_TEST_DATABASE_URL``) the test database's tables, emptied before
each test. With ``KINEMA_TEST_QUEUE_URL`` (Redis) the Redis database is flushed before
each test. So tests never see each other's data, and migrations run from scratch only in
the tests about them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner, Result

from kinema.db import transaction
from kinema.settings import Settings, load_settings
from support import DEFAULT_PASSWORD, log_in

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from kinema.accounts.models import User
    from kinema.runtime import Runtime

# Fixtures for published videos made from one rendered clip (social and feed tests).
pytest_plugins = ["published_videos"]

TEST_DATABASE_URL = os.environ.get("KINEMA_TEST_DATABASE_URL", "")
TEST_QUEUE_URL = os.environ.get("KINEMA_TEST_QUEUE_URL", "")


def _sqlalchemy_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    return url


@dataclass
class _TemplateDatabase:
    """The session's migrated schema: on SQLite a template file that each test copies, on
    PostgreSQL the tables of the test database, which each test empties."""

    sqlite_file: Path | None = None
    postgres_tables: list[str] = field(default_factory=list)


def _migrate(database_url: str) -> None:
    from kinema.db import make_engine
    from kinema.migrations import migrate

    engine = make_engine(database_url)
    try:
        migrate(engine)
        if engine.dialect.name == "sqlite":
            # Fold the write-ahead log into the file, so that the file alone is the database.
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _template_database(tmp_path_factory: pytest.TempPathFactory) -> _TemplateDatabase:
    """The schema, migrated once for the whole session.

    On PostgreSQL the test database itself is the template: its schema is dropped and
    migrated again, and each test empties its tables. That is quicker there than cloning
    a database per test (``CREATE DATABASE ... TEMPLATE`` and the ``DROP DATABASE`` after
    it, which waits for a checkpoint of everything the test wrote)."""
    if not TEST_DATABASE_URL:
        template = tmp_path_factory.mktemp("template") / "kinema.db"
        _migrate(f"sqlite:///{template}")
        leftovers = [p for p in template.parent.iterdir() if p.name.endswith("-wal")]
        assert not leftovers, f"the template database kept a write-ahead log: {leftovers}"
        return _TemplateDatabase(sqlite_file=template)
    engine = create_engine(_sqlalchemy_url(TEST_DATABASE_URL))
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        _migrate(TEST_DATABASE_URL)
        tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    finally:
        engine.dispose()
    return _TemplateDatabase(postgres_tables=tables)


def _fresh_database(template: _TemplateDatabase, settings: Settings) -> None:
    """Give the test a database at the newest schema with nothing in it."""
    if template.sqlite_file is not None:
        # Into the (empty) file that load_settings made, so that it keeps the mode the
        # product gave it.
        shutil.copyfile(template.sqlite_file, settings.database_url[len("sqlite:///") :])
        return
    engine = create_engine(_sqlalchemy_url(settings.database_url))
    try:
        names = ", ".join(f'"{t}"' for t in template.postgres_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


def _flush_external_queue() -> None:
    import redis

    client = redis.Redis.from_url(TEST_QUEUE_URL)
    try:
        client.flushdb()
    finally:
        client.close()


@pytest.fixture
def settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _template_database: _TemplateDatabase
) -> Settings:
    """Settings on a temporary data directory, untouched by the developer's own
    ``KINEMA_*`` environment, with an empty database already at the newest schema.
    Registration stays at the default (``invite``)."""
    for name in list(os.environ):
        if name.startswith("KINEMA_") and not name.startswith("KINEMA_TEST_"):
            monkeypatch.delenv(name)
    overrides: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "base_url": "http://testserver",
    }
    if TEST_DATABASE_URL:
        overrides["database_url"] = TEST_DATABASE_URL
    if TEST_QUEUE_URL:
        _flush_external_queue()
        overrides["queue_url"] = TEST_QUEUE_URL
    settings = load_settings(**overrides)
    _fresh_database(_template_database, settings)
    return settings


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """A real runtime (migrated database, storage, Huey). Huey runs tasks immediately,
    in the calling thread, so a generation finishes inside the request that queued it."""
    from kinema.runtime import build_runtime

    rt = build_runtime(settings)
    rt.huey.immediate = True
    try:
        yield rt
    finally:
        rt.db.dispose()


@pytest.fixture
def app(settings: Settings, runtime: Runtime) -> FastAPI:
    from kinema.api.app import create_app

    return create_app(settings, runtime=runtime)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous browser-like client: keeps cookies between requests."""
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def make_user(runtime: Runtime) -> Callable[..., User]:
    """``make_user("alice")`` creates a user through the accounts service (password
    ``DEFAULT_PASSWORD`` unless given) and returns it."""
    from kinema.accounts import service

    def _make(
        handle: str = "alice",
        *,
        password: str = DEFAULT_PASSWORD,
        email: str | None = None,
        birthdate: date | None = date(1990, 1, 1),
        is_admin: bool = False,
    ) -> User:
        with transaction(runtime.sessions) as session:
            return service.create_user(
                session,
                runtime.settings,
                handle=handle,
                email=email or f"{handle}@example.com",
                password=password,
                birthdate=birthdate,
                is_admin=is_admin,
            )

    return _make


@pytest.fixture
def login() -> Callable[..., None]:
    """``login(client, user)``: see ``log_in``."""
    return log_in


@pytest.fixture
def api_client(app: FastAPI, runtime: Runtime) -> Iterator[Callable[[User], TestClient]]:
    """``api_client(user)``: a client authenticated by a Bearer API key made through
    the accounts service (no cookies, no CSRF)."""
    from fastapi.testclient import TestClient

    from kinema.accounts import service

    clients: list[TestClient] = []

    def _make(user: User) -> TestClient:
        with transaction(runtime.sessions) as session:
            _key, token = service.create_api_key(session, user_id=user.id, name="tests")
        test_client = TestClient(
            app,
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {token}"},
        )
        test_client.__enter__()
        clients.append(test_client)
        return test_client

    yield _make
    for test_client in clients:
        test_client.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id, with test-sized cost parameters: the suite creates and signs in
    many users, and the production cost would dominate its run time."""
    from argon2 import PasswordHasher

    from kinema.accounts import service

    monkeypatch.setattr(
        service, "password_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def kinema(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run ``kinema ...`` against the test instance (its data directory and, when the
    suite runs on PostgreSQL/Redis, those too)."""
    monkeypatch.setenv("KINEMA_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KINEMA_QUEUE_URL", settings.queue_url)
    runner = CliRunner()

    def run(*args: str) -> Result:
        from kinema.cli import app as cli

        return runner.invoke(cli, [*args, "--data-dir", str(settings.data_dir)])

    return run
