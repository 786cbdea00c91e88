"""The job queue: Huey delivers work; the job rows in the database stay the truth.

- ``SqliteHuey`` in the data directory by default, consumed by threads inside
  ``kinema serve`` (``start_embedded_workers``);
- ``RedisHuey`` when ``KINEMA_QUEUE_URL=redis://...``, consumed by any number of
  ``kinema worker`` processes (``run_worker``).

Generations for the default engine (``KINEMA_ENGINE``) go on the main queue with every
other task. Each other engine has a queue of its own (``kinema.<engine>``, the same
SQLite file or Redis server), consumed only by ``kinema worker --engine <engine>``: one
such worker per GPU keeps that engine's model loaded, and never picks up work another
engine should do.

Tasks are registered per ``Runtime`` (``register_tasks``) under fixed names, so a worker
process and the web server agree on them. For unit tests, ``runtime.huey.immediate =
True`` runs each task at once, in the caller's thread.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
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


def make_huey(settings: Settings, name: str = QUEUE_NAME) -> Huey:
    """The Huey instance named by ``settings.queue_url`` (SQLite file or Redis); ``name``
    picks one queue among several kept there."""
    url = settings.queue_url
    if settings.uses_redis_queue:
        return RedisHuey(name, url=url, results=False, utc=True)
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:////abs/path.db -> /abs/path.db ; sqlite:///rel.db -> rel.db
        raw = url[len("sqlite:///") :]
        path = Path(unquote(raw)).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False, utc=True)
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


GENERATION_TASK = "run_generation"  # the studio's name for the task (studio/service.py)
_ENGINE_TASK_PREFIX = "run_generation@"
_engine_queues_lock = threading.Lock()


def engine_queue_name(engine: str) -> str:
    """The name of the queue that carries ``engine``'s generations when it is not the
    default engine (``kinema.ltx2``)."""
    return f"{QUEUE_NAME}.{engine}"


def _engine_task(runtime: Runtime, engine: str) -> Any:
    """The generation task on ``engine``'s own queue, made on first use."""
    key = _ENGINE_TASK_PREFIX + engine
    with _engine_queues_lock:
        task = runtime.tasks.get(key)
        if task is None:
            huey = make_huey(runtime.settings, engine_queue_name(engine))
            task = _register_engine_generation_task(runtime, huey)
            runtime.tasks[key] = task
    return task


def _register_engine_generation_task(runtime: Runtime, huey: Huey) -> Any:
    from huey.signals import SIGNAL_COMPLETE

    from kinema.studio import service
    from kinema.webhooks import service as webhooks

    @huey.task(name="kinema.run_generation")
    def run_generation(generation_id: str) -> None:
        service.run_generation(runtime, generation_id)

    # As on the main queue: once the task has run, the job row says what to announce.
    @huey.signal(SIGNAL_COMPLETE)
    def announce_finished_generation(_signal: str, task: Any, *_args: Any) -> None:
        if task.name != run_generation.name or not task.args:
            return
        try:
            webhooks.announce_generation(runtime, str(task.args[0]))
        except Exception:
            log.exception("Could not announce generation %s to webhooks", task.args[0])

    return run_generation


def generation_queue(runtime: Runtime, engine: str) -> Huey:
    """The queue ``engine``'s generations travel on: the main queue for the default
    engine, the engine's own queue for any other."""
    if engine == runtime.settings.engine:
        return runtime.huey
    huey: Huey = _engine_task(runtime, engine).huey
    return huey


def enqueue_generation(runtime: Runtime, generation_id: str, engine: str) -> None:
    """Queue a generation on its engine's queue (runs at once in immediate mode)."""
    if engine == runtime.settings.engine:
        enqueue(runtime, GENERATION_TASK, generation_id)
        return
    task = _engine_task(runtime, engine)
    # Engine queues follow the main queue's mode, so tests and one-process setups that
    # run tasks at once do so for every engine.
    task.huey.immediate = runtime.huey.immediate
    task(generation_id)


def _recover(runtime: Runtime) -> None:
    from kinema.studio.service import recover_stalled_generations

    try:
        recover_stalled_generations(runtime)
    except Exception:
        # Recovery is retried every minute; a failure here must not stop the workers.
        log.exception("Could not check for stalled generations")


def _last_touched(path: Path) -> float:
    """The newest modification time of ``path`` and everything under it."""
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for child in path.rglob("*"):
            try:
                newest = max(newest, child.lstat().st_mtime)
            except OSError:
                continue
    return newest


def clean_scratch(settings: Settings, *, now: float | None = None) -> int:
    """Remove scratch folders and files left in the data directory's ``tmp`` by
    workers and requests that died (a killed process never runs its cleanup). Only
    what nobody has touched for ``job_timeout_seconds`` goes, the same silence after
    which a job is taken as dead, so the live work of another process sharing the data
    directory is left alone. Returns how many entries were removed."""
    root = settings.data_dir / "tmp"
    if not root.is_dir():
        return 0
    moment = time.time() if now is None else now
    removed = 0
    for entry in root.iterdir():
        try:
            if moment - _last_touched(entry) < settings.job_timeout_seconds:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except OSError:
            log.warning("Could not remove the leftover scratch entry %s", entry)
    if removed:
        log.info("Removed %d leftover scratch entries from %s", removed, root)
    return removed


class _EmbeddedConsumer(Consumer):
    """A consumer that runs inside another program: the host owns the signals."""

    def _set_signal_handlers(self) -> None:
        return None


def start_embedded_workers(runtime: Runtime) -> Callable[[], None]:
    """Start ``settings.worker_threads`` consumer threads (plus Huey's scheduler) in this
    process, after re-queuing jobs whose worker died. Returns a function that stops them,
    waiting briefly for running jobs (an unfinished job is recovered at the next start).
    """
    clean_scratch(runtime.settings)
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


def prepare_worker(runtime: Runtime, engine: str | None = None) -> Consumer:
    """A consumer for ``kinema worker``: the main queue when ``engine`` is None or the
    default engine, otherwise only ``engine``'s own queue. An engine worker loads the
    engine's model now, so a missing model or GPU extra is reported before any job is
    taken, and the first job does not wait for it.

    Raises ``QueueError`` for an unknown engine and the engine's own ``EngineError``
    when it cannot be loaded."""
    from kinema.engines import available_engines, registry

    huey = runtime.huey
    if engine is not None and engine != runtime.settings.engine:
        if engine not in available_engines():
            known = ", ".join(available_engines()) or "none"
            raise QueueError(f"Unknown engine {engine!r}; available engines: {known}.")
        huey = generation_queue(runtime, engine)
    if engine is not None:
        warm = registry.get_engine(engine)  # cached: the jobs use this same instance
        load = getattr(warm, "load", None)
        if callable(load):
            log.info("Loading the %s engine", engine)
            load()
    clean_scratch(runtime.settings)
    _recover(runtime)
    main = huey is runtime.huey
    return huey.create_consumer(
        workers=runtime.settings.worker_threads,
        worker_type="thread",
        # Periodic tasks (recovery, webhook sweeps) live on the main queue only.
        periodic=main,
        check_worker_health=True,
    )


def run_worker(runtime: Runtime, engine: str | None = None) -> None:
    """Consume jobs in this process until interrupted (``kinema worker``); with
    ``engine``, only that engine's generations (see ``prepare_worker``)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    prepare_worker(runtime, engine).run()
