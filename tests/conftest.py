"""Shared fixtures: a real settings object on a temporary data directory, a real runtime
(database migrated, storage, Huey), the web app, and users made through the accounts
service.

When ``KINEMA_TEST_DATABASE_URL`` (PostgreSQL) and/or ``KINEMA_TEST_QUEUE_URL`` (Redis)
are set, the same suite runs against them: the schema is dropped once per test session
and every table is emptied before each test, and the Redis database is flushed before
each test, so runs never see each other's data.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner, Result

from kinema.db import transaction
from kinema.settings import Settings, load_settings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from kinema.accounts.models import User
    from kinema.runtime import Runtime

# Fixtures for published videos made from one rendered clip (social and feed tests).
pytest_plugins = ["published_videos"]

DEFAULT_PASSWORD = "correct horse battery staple"

TEST_DATABASE_URL = os.environ.get("KINEMA_TEST_DATABASE_URL", "")
TEST_QUEUE_URL = os.environ.get("KINEMA_TEST_QUEUE_URL", "")


def _sqlalchemy_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    return url


@pytest.fixture(scope="session")
def _fresh_external_database() -> Iterator[None]:
    """Drop and recreate the PostgreSQL schema once per test session."""
    if TEST_DATABASE_URL:
        engine = create_engine(_sqlalchemy_url(TEST_DATABASE_URL))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    yield


def _empty_external_database() -> None:
    engine = create_engine(_sqlalchemy_url(TEST_DATABASE_URL))
    try:
        tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
        if tables:
            names = ", ".join(f'"{t}"' for t in tables)
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
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _fresh_external_database: None
) -> Settings:
    """Settings on a temporary data directory, untouched by the developer's own
    ``KINEMA_*`` environment. Registration stays at the default (``invite``)."""
    for name in list(os.environ):
        if name.startswith("KINEMA_") and not name.startswith("KINEMA_TEST_"):
            monkeypatch.delenv(name)
    overrides: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "base_url": "http://testserver",
    }
    if TEST_DATABASE_URL:
        _empty_external_database()
        overrides["database_url"] = TEST_DATABASE_URL
    if TEST_QUEUE_URL:
        _flush_external_queue()
        overrides["queue_url"] = TEST_QUEUE_URL
    return load_settings(**overrides)


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


def log_in(client: TestClient, user: User, password: str = DEFAULT_PASSWORD) -> None:
    """Sign ``client`` in as ``user`` with the session cookie, the way a browser does,
    and make it send the CSRF header that the web pages send."""
    response = client.post("/api/auth/login", json={"login": user.handle, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = client.cookies["kinema_csrf"]


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
