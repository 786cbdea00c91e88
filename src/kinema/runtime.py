"""Everything a running Kinema process shares: settings, database, storage and queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy
from huey.api import Huey
from sqlalchemy.orm import Session, sessionmaker

from kinema.db import make_engine, make_sessionmaker
from kinema.queue import make_huey, register_tasks
from kinema.settings import Settings
from kinema.storage import Storage, make_storage


@dataclass
class Runtime:
    settings: Settings
    db: sqlalchemy.Engine
    sessions: sessionmaker[Session]
    storage: Storage
    huey: Huey
    # Registered queue tasks by name (see ``kinema.queue.enqueue``).
    tasks: dict[str, Any] = field(default_factory=dict)


def build_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Connect to the database (bringing its schema up to date unless ``migrate`` is
    false), open storage and the queue, and register the queue's tasks."""
    db = make_engine(settings.database_url)
    if migrate:
        from kinema.migrations import migrate as run_migrations

        run_migrations(db)
    runtime = Runtime(
        settings=settings,
        db=db,
        sessions=make_sessionmaker(db),
        storage=make_storage(settings),
        huey=make_huey(settings),
    )
    register_tasks(runtime)
    return runtime
