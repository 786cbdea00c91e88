"""The job queue: which Huey backend is chosen, and that the worker entry points exist."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey

from kinema.queue import QueueError, enqueue, make_huey
from kinema.runtime import Runtime
from kinema.settings import load_settings


def test_sqlite_queue_in_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KINEMA_QUEUE_URL", raising=False)
    huey = make_huey(load_settings(data_dir=tmp_path))
    assert isinstance(huey, SqliteHuey)
    assert Path(huey.storage.filename) == tmp_path / "queue.db"


def test_redis_queue_by_url(tmp_path: Path) -> None:
    url = os.environ.get("KINEMA_TEST_QUEUE_URL") or "redis://127.0.0.1:6379/15"
    huey = make_huey(load_settings(data_dir=tmp_path, queue_url=url))
    assert isinstance(huey, RedisHuey)


def test_unsupported_queue_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QueueError, match="not supported"):
        make_huey(load_settings(data_dir=tmp_path, queue_url="amqp://localhost"))


def test_runtime_registers_the_studio_tasks(runtime: Runtime) -> None:
    assert "run_generation" in runtime.tasks
    with pytest.raises(QueueError, match="No task named"):
        enqueue(runtime, "no_such_task")
