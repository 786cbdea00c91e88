"""The job queue: Huey delivers work; the job rows in the database stay the truth.

- ``SqliteHuey`` in the data directory by default, consumed by threads inside
  ``kinema serve`` (``start_embedded_workers``);
- ``RedisHuey`` when ``KINEMA_QUEUE_URL=redis://...``, consumed by any number of
  ``kinema worker`` processes (``run_worker``).

Tasks are registered per ``Runtime`` (``register_tasks``) under fixed names, so a worker
process and the web server agree on them. For unit tests, ``runtime.huey.immediate =
True`` runs each task at once, in the caller's thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer

from kinema.settings import Settings

if TYPE_CHECKING:
    from kinema.runtime import Runtime

log = logging.getLogger(__name__)

QUEUE_NAME = "kinema"


class QueueError(Exception):
    """The queue is misconfigured; the message is plain."""


def make_huey(settings: Settings) -> Huey:
    """The Huey instance named by ``settings.queue_url`` (SQLite file or Redis)."""
    url = settings.queue_url
    if settings.uses_redis_queue:
        return RedisHuey(QUEUE_NAME, url=url, results=False, utc=True)
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:////abs/path.db -> /abs/path.db ; sqlite:///rel.db -> rel.db
        raw = url[len("sqlite:///") :]
        path = Path(unquote(raw)).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path), results=False, utc=True)
    raise QueueError(
        f"Queue URL {url!r} is not supported; use sqlite:///path/queue.db or redis://host/0."
    )


def register_tasks(runtime: Runtime) -> None:
    """Register every domain's tasks on ``runtime.huey`` and remember them by name."""
    from kinema.characters import jobs as character_jobs
    from kinema.studio import jobs as studio_jobs
    from kinema.webhooks import service as webhooks

    studio_jobs.register(runtime)
    character_jobs.register(runtime)
    webhooks.register(runtime)


def enqueue(runtime: Runtime, name: str, *args: Any) -> None:
    """Queue the task registered as ``name`` with ``args`` (runs at once in immediate
    mode)."""
    task = runtime.tasks.get(name)
    if task is None:
        raise QueueError(f"No task named {name!r} is registered.")
    task(*args)


def _recover(runtime: Runtime) -> None:
    from kinema.studio.service import recover_stalled_generations

    try:
        recover_stalled_generations(runtime)
    except Exception:
        # Recovery is retried every minute; a failure here must not stop the workers.
        log.exception("Could not check for stalled generations")


class _EmbeddedConsumer(Consumer):
    """A consumer that runs inside another program: the host owns the signals."""

    def _set_signal_handlers(self) -> None:
        return None


def start_embedded_workers(runtime: Runtime) -> Callable[[], None]:
    """Start ``settings.worker_threads`` consumer threads (plus Huey's scheduler) in this
    process, after re-queuing jobs whose worker died. Returns a function that stops them,
    waiting briefly for running jobs (an unfinished job is recovered at the next start).
    """
    _recover(runtime)
    consumer = _EmbeddedConsumer(
        runtime.huey,
        workers=runtime.settings.worker_threads,
        worker_type="thread",
        periodic=True,
        check_worker_health=True,
    )
    consumer.shutdown_timeout = 5.0
    thread = threading.Thread(target=consumer.run, name="kinema-queue", daemon=True)
    thread.start()
    stopped = threading.Event()

    def stop() -> None:
        if stopped.is_set():
            return
        stopped.set()
        consumer.stop(graceful=True)
        thread.join(timeout=10)

    return stop


def run_worker(runtime: Runtime) -> None:
    """Consume jobs in this process until interrupted (``kinema worker``)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    _recover(runtime)
    consumer = runtime.huey.create_consumer(
        workers=runtime.settings.worker_threads,
        worker_type="thread",
        periodic=True,
        check_worker_health=True,
    )
    consumer.run()
