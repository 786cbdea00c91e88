"""Studio operations: uploads, generation jobs, drafts and publishing.

Each public function is one thing a person (or the worker) does. They take a
``Session`` and explicit arguments, return domain objects and raise ``kinema.errors``
exceptions with sentences fit to show. Work that must only happen once the database
change is durable (queueing a job, deleting media files) is attached to the session's
commit, so a request that fails leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import logging
import os
import random
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kinema.db import transaction, utcnow
from kinema.engines import (
    EngineError,
    GenerationRequest,
    InvalidRequest,
    available_engines,
    get_engine,
)
from kinema.engines.base import MAX_SECONDS, MIN_SECONDS, parse_size
from kinema.engines.diffusers.errors import GenerationCancelled, OutOfMemory
from kinema.errors import Conflict, Forbidden, InvalidInput, NotFound, QuotaExceeded
from kinema.ids import new_id
from kinema.media.decoding import heavy_decode
from kinema.media.images import check_image, clean_image
from kinema.media.probe import probe_video
from kinema.provenance import service as provenance
from kinema.queue import enqueue_generation
from kinema.safety import service as safety
from kinema.studio.models import (
    COMPLETED,
    DRAFT,
    FAILED,
    IN_PROGRESS,
    PUBLISHED,
    QUEUED,
    REMOVED,
    Generation,
    Upload,
    Video,
)

if TYPE_CHECKING:
    from kinema.accounts.models import User
    from kinema.runtime import Runtime

log = logging.getLogger(__name__)

MAX_PROMPT_CHARS = 2000
MAX_CAPTION_CHARS = 2200
MAX_PLAN_BYTES = 200_000
DEFAULT_SECONDS = 8
DEFAULT_SIZE = "720x1280"
DEFAULT_FPS = 24
RENDER_FAILED_MESSAGE = "The video could not be rendered."
# A cancelled job keeps the API's four statuses: it is failed, with this error and
# ``cancelled`` set.
CANCELLED_MESSAGE = "Cancelled."
GENERATION_TASK = "run_generation"

# Overall progress (percent) covered by each engine stage; the rest is saving the result.
STAGE_BANDS: dict[str, tuple[float, float]] = {
    "plan": (0, 5),
    # GPU engines: loading the model (instant once it is warm), then the denoising steps.
    "load": (0, 5),
    "denoise": (5, 86),
    "render": (5, 75),
    "sound": (75, 88),
    "encode": (88, 97),
}
OTHER_STAGE_BAND = (5, 95)
PROGRESS_WRITE_INTERVAL = 0.5  # seconds between progress writes to the job row
HEARTBEAT_INTERVAL = 5.0  # seconds between heartbeats while the engine runs


# ---------------------------------------------------------------------------- helpers


def _after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once the session's current transaction commits (never if it rolls
    back)."""

    def on_commit(_session: Session) -> None:
        sa_event.remove(session, "after_soft_rollback", on_rollback)
        action()

    def on_rollback(_session: Session, _previous: Any) -> None:
        sa_event.remove(session, "after_commit", on_commit)

    sa_event.listen(session, "after_commit", on_commit, once=True)
    sa_event.listen(session, "after_soft_rollback", on_rollback, once=True)


def _after_rollback(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` if the session's current transaction rolls back."""

    def on_rollback(_session: Session, _previous: Any) -> None:
        sa_event.remove(session, "after_commit", on_commit)
        action()

    def on_commit(_session: Session) -> None:
        sa_event.remove(session, "after_soft_rollback", on_rollback)

    sa_event.listen(session, "after_soft_rollback", on_rollback, once=True)
    sa_event.listen(session, "after_commit", on_commit, once=True)


def worker_name() -> str:
    """``host:pid`` of this process, kept on the job rows it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _worker_is_dead(worker: str | None) -> bool:
    """True when ``worker`` ran on this machine and its process is gone."""
    if not worker or ":" not in worker:
        return False
    host, _, pid_text = worker.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _is_staff(user: User | None) -> bool:
    return user is not None and (user.is_admin or user.role in ("moderator", "admin"))


# ---------------------------------------------------------------------------- uploads


def upload_image(session: Session, runtime: Runtime, user: User, data: bytes) -> Upload:
    """Keep an image ``user`` uploaded to start a video from.

    The bytes are checked by content (PNG, JPEG or WebP), against the byte and pixel
    caps, and stored re-encoded without metadata."""
    settings = runtime.settings
    caps = {"max_bytes": settings.max_upload_bytes, "max_pixels": settings.max_upload_pixels}
    check_image(data, **caps)  # refuse from the header alone, before waiting for a turn
    # Both steps decode the whole picture: one turn of the process's decode gate covers
    # them, so parallel uploads wait rather than each holding a full-size copy.
    with heavy_decode():
        image = clean_image(data, **caps)
        # Nudity, and likeness: a real face must be the uploader's own verified character.
        safety.moderate(session, user, image.preview or image.data, "image")
    upload = Upload(
        id=new_id("upl"),
        user_id=user.id,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        size_bytes=len(image.data),
        sha256=hashlib.sha256(image.data).hexdigest(),
        storage_key="",
    )
    upload.storage_key = f"uploads/{upload.id}.{image.extension}"
    runtime.storage.put_bytes(upload.storage_key, image.data)
    _after_rollback(session, lambda: runtime.storage.delete(upload.storage_key))
    session.add(upload)
    session.flush()
    return upload


# ---------------------------------------------------------------------------- generations


def generations_today(session: Session, user_id: str, *, now: datetime | None = None) -> int:
    """How many generations ``user_id`` asked for in the last 24 hours."""
    since = (now or utcnow()) - timedelta(days=1)
    count = session.scalar(
        select(func.count(Generation.id)).where(
            Generation.user_id == user_id, Generation.created_at > since
        )
    )
    return int(count or 0)


def _check_quota(session: Session, runtime: Runtime, user: User) -> None:
    limit = runtime.settings.daily_generations
    if limit <= 0:  # 0 means no daily limit on this instance
        return
    since = utcnow() - timedelta(days=1)
    rows = session.scalars(
        select(Generation.created_at)
        .where(Generation.user_id == user.id, Generation.created_at > since)
        .order_by(Generation.created_at)
    ).all()
    if len(rows) >= limit:
        free_at = rows[len(rows) - limit] + timedelta(days=1)
        raise QuotaExceeded(
            f"You have made {len(rows)} videos in the last 24 hours, the daily limit on "
            f"this instance is {limit}. You can make another after "
            f"{free_at:%Y-%m-%d %H:%M} UTC.",
            retry_after=max(1, int((free_at - utcnow()).total_seconds())),
        )


def request_generation(
    session: Session,
    runtime: Runtime,
    user: User,
    *,
    prompt: str,
    seconds: float | None = None,
    size: str | None = None,
    seed: int | None = None,
    image_id: str | None = None,
    remix_of: str | None = None,
    engine: str | None = None,
    plan: dict[str, Any] | None = None,
    extend_seconds: float = 0.0,
    captions: bool = False,
) -> Generation:
    """Ask for a video: check the request and the daily quota, insert a queued job and
    queue it to run once this transaction commits. ``plan`` asks the engine to render
    that scene description exactly (an edited or extended plan) instead of planning
    from the prompt. ``extend_seconds`` makes it an extension of ``remix_of`` by that
    many seconds (``seconds`` is then the whole video's length), for engines that
    continue the parent's frames. ``captions`` burns the dialogue into the picture; it
    is kept with the job, so a retried job renders the same way."""
    prompt = (prompt or "").strip()
    if not prompt:
        raise InvalidInput("The prompt is empty: describe the video you want.")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidInput(
            f"The prompt is {len(prompt)} characters long; the limit is {MAX_PROMPT_CHARS}."
        )
    # Before the quota check and the insert: a refused prompt costs nothing.
    safety.moderate(session, user, prompt, "prompt")
    seconds = DEFAULT_SECONDS if seconds is None else seconds
    if not (MIN_SECONDS <= seconds <= MAX_SECONDS):
        raise InvalidInput(f"Duration must be between {MIN_SECONDS} and {MAX_SECONDS} seconds.")
    try:
        width, height = parse_size(size or DEFAULT_SIZE)
    except InvalidRequest as exc:
        raise InvalidInput(str(exc)) from None
    if seed is None:
        seed = random.randrange(0, 2**31)
    elif not (0 <= seed < 2**63):
        raise InvalidInput("The seed must be a whole number from 0 upward.")
    engine_name = engine or runtime.settings.engine
    served = runtime.settings.served_engines
    if engine_name not in served or engine_name not in available_engines():
        # A job for an engine no worker serves would wait in its queue for ever.
        known = ", ".join(name for name in served if name in available_engines()) or "none"
        raise InvalidInput(
            f"The engine {engine_name!r} is not available on this instance; "
            f"available engines: {known}."
        )
    upload = None
    if image_id is not None:
        upload = session.get(Upload, image_id)
        if upload is None or upload.user_id != user.id:
            raise NotFound("That image was not found among your uploads.")
    if remix_of is not None:
        parent = get_video_for_viewer(session, remix_of, user)
        # Published videos, and the caller's own drafts, can be remixed.
        if not (
            parent.status == PUBLISHED or (parent.status == DRAFT and parent.author_id == user.id)
        ):
            raise NotFound("That video was not found.")
    if plan is not None:
        if not isinstance(plan, dict):
            raise InvalidInput("A plan must be a JSON object.")
        if len(json.dumps(plan)) > MAX_PLAN_BYTES:
            raise InvalidInput(f"The plan is larger than {MAX_PLAN_BYTES // 1000} kB.")
        made_with = plan.get("image_sha256")
        if made_with and (upload is None or upload.sha256 != made_with):
            # Said now, not after a wait in the queue (the engine refuses it too).
            raise InvalidInput("This plan was made with a picture; give the same picture "
                               "again (image_id) to render it.", param="image_id")
    if (engine_name == "procedural" and plan is None and remix_of is None
            and image_id is None and "@" not in prompt):
        # Said now, not after a wait in the queue: a prompt with nothing to draw.
        problem = _nothing_to_draw(prompt)
        if problem is not None:
            raise InvalidInput(problem)
    _check_quota(session, runtime, user)
    # Characters named as @handle: resolved and permission-checked at submission.
    from kinema.characters import service as characters

    cast = characters.resolve_prompt_characters(session, user, prompt)

    generation = Generation(
        id=new_id("gen"),
        user_id=user.id,
        prompt=prompt,
        seconds=float(seconds),
        width=width,
        height=height,
        fps=DEFAULT_FPS,
        seed=int(seed),
        engine=engine_name,
        image_id=image_id,
        remix_of=remix_of,
        plan=plan,
        extend_seconds=float(extend_seconds) if remix_of is not None else 0.0,
        captions=bool(captions),
        status=QUEUED,
        progress=0,
        stage="",
        attempts=0,
    )
    session.add(generation)
    session.flush()
    characters.record_planned_appearances(session, generation.id, user, cast)
    generation_id = generation.id
    # Queue only once the row is committed, so the worker always finds it.
    _after_commit(session, lambda: _enqueue_generation(runtime, generation_id, engine_name))
    return generation


def _nothing_to_draw(prompt: str) -> str | None:
    from kinema.engines.procedural.planner import make_plan, nothing_to_draw

    return nothing_to_draw(make_plan(prompt, seconds=4, width=256, height=256))


def _enqueue_generation(runtime: Runtime, generation_id: str, engine: str) -> None:
    try:
        enqueue_generation(runtime, generation_id, engine)
    except Exception:
        # The row is committed and stays queued; recovery queues it again later.
        log.exception("Could not queue generation %s; it will be retried", generation_id)


def get_generation(session: Session, user: User, generation_id: str) -> Generation:
    """The caller's own generation job; others' jobs are not found."""
    generation = session.get(Generation, generation_id)
    if generation is None or (generation.user_id != user.id and not _is_staff(user)):
        raise NotFound("That generation was not found.")
    return generation


def cancel_generation(
    session: Session, runtime: Runtime, user: User, generation_id: str
) -> Generation:
    """Cancel one of the caller's own generations. A queued job fails at once and never
    renders; a running one is marked, and its worker stops at the next progress step
    and fails it. Either way it ends ``failed`` with the error ``"Cancelled."`` and
    ``cancelled`` set; a finished job cannot be cancelled (``Conflict``)."""
    generation = session.get(Generation, generation_id)
    if generation is None or generation.user_id != user.id:
        raise NotFound("That generation was not found.")
    if generation.status in (COMPLETED, FAILED):
        raise Conflict(
            f"This generation has already {generation.status}; there is nothing to cancel."
        )
    now = utcnow()
    stopped = session.execute(
        update(Generation)
        .where(Generation.id == generation_id, Generation.status == QUEUED)
        .values(
            status=FAILED, cancelled=True, error=CANCELLED_MESSAGE, stage="cancelled",
            finished_at=now,
        )
    )
    if stopped.rowcount:  # type: ignore[attr-defined]
        # Its queued task finds nothing to claim; the outcome is announced from here.
        _after_commit(session, lambda: _announce_failure(runtime, generation_id))
    else:  # a worker has it: the worker sees the mark and stops
        session.execute(
            update(Generation)
            .where(Generation.id == generation_id, Generation.status == IN_PROGRESS)
            .values(cancelled=True)
        )
    session.flush()
    session.refresh(generation)
    return generation


class _JobTakenAway(Exception):
    """The job row no longer belongs to this run (it was recovered elsewhere)."""


class _CancelRequested(Exception):
    """The owner cancelled the job while it ran. Raised from the progress callback, so
    engines without a cancel check stop at their next progress report too."""


class _ProgressRecorder:
    """Turns the engine's per-stage progress into an overall percentage on the job row,
    writing at most every ``PROGRESS_WRITE_INTERVAL`` seconds, and beats the heart."""

    def __init__(self, runtime: Runtime, generation_id: str, worker: str, attempt: int):
        self.runtime = runtime
        self.generation_id = generation_id
        self.worker = worker
        self.attempt = attempt
        self.percent = 0
        self.stage = "plan"
        self._written_percent = -1
        self._written_stage = ""
        self._written_at = 0.0
        self._lock = threading.Lock()
        self.taken_away = False
        # Set once a write finds the job cancelled; GPU engines poll it between steps.
        self.cancelled = False

    def should_cancel(self) -> bool:
        """True once the owner cancelled the job (checked at every progress write and
        heartbeat)."""
        return self.cancelled

    def __call__(self, stage: str, fraction: float) -> None:
        if self.cancelled:
            raise _CancelRequested(self.generation_id)
        low, high = STAGE_BANDS.get(stage, OTHER_STAGE_BAND)
        fraction = min(max(float(fraction), 0.0), 1.0)
        percent = int(low + (high - low) * fraction)
        with self._lock:
            self.percent = max(self.percent, min(percent, 99))
            self.stage = stage
            now = time.monotonic()
            due = now - self._written_at >= PROGRESS_WRITE_INTERVAL
            changed = stage != self._written_stage or self.percent > self._written_percent
            if not (changed and due):
                return
        self.write()

    def write(self, stage: str | None = None, percent: int | None = None) -> None:
        """Record progress and a heartbeat; raises ``_JobTakenAway`` if the job was
        recovered by someone else meanwhile, ``_CancelRequested`` if it was cancelled."""
        with self._lock:
            if stage is not None:
                self.stage = stage
            if percent is not None:
                self.percent = max(self.percent, percent)
            values = {"progress": self.percent, "stage": self.stage, "heartbeat_at": utcnow()}
            self._written_percent, self._written_stage = self.percent, self.stage
            self._written_at = time.monotonic()
        with transaction(self.runtime.sessions) as session:
            result = session.execute(
                update(Generation)
                .where(
                    Generation.id == self.generation_id,
                    Generation.status == IN_PROGRESS,
                    Generation.worker == self.worker,
                    Generation.attempts == self.attempt,
                )
                .values(**values)
            )
            cancelled = session.scalar(
                select(Generation.cancelled).where(Generation.id == self.generation_id)
            )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            self.taken_away = True
            raise _JobTakenAway(self.generation_id)
        if cancelled:
            self.cancelled = True
            raise _CancelRequested(self.generation_id)


def claim_generation(runtime: Runtime, generation_id: str, worker: str | None = None) -> int | None:
    """Move a queued job to in_progress for ``worker`` (this process by default); returns
    the attempt number, or None if it is not queued (finished, or already taken by
    another delivery of the same job)."""
    worker = worker or worker_name()
    now = utcnow()
    with transaction(runtime.sessions) as session:
        result = session.execute(
            update(Generation)
            .where(Generation.id == generation_id, Generation.status == QUEUED)
            .values(
                status=IN_PROGRESS,
                attempts=Generation.attempts + 1,
                worker=worker,
                heartbeat_at=now,
                started_at=now,
                stage="plan",
                error=None,
            )
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            return None
        attempts = session.scalar(select(Generation.attempts).where(Generation.id == generation_id))
    return int(attempts or 1)


def _fail(runtime: Runtime, generation_id: str, worker: str, attempt: int, message: str) -> None:
    with transaction(runtime.sessions) as session:
        session.execute(
            update(Generation)
            .where(
                Generation.id == generation_id,
                Generation.status == IN_PROGRESS,
                Generation.worker == worker,
                Generation.attempts == attempt,
            )
            .values(status=FAILED, error=message, finished_at=utcnow(), heartbeat_at=utcnow())
        )


def _finish_cancelled(runtime: Runtime, generation_id: str, worker: str, attempt: int) -> None:
    """The running job stopped because its owner cancelled it."""
    log.info("Generation %s was cancelled", generation_id)
    with transaction(runtime.sessions) as session:
        session.execute(
            update(Generation)
            .where(
                Generation.id == generation_id,
                Generation.status == IN_PROGRESS,
                Generation.worker == worker,
                Generation.attempts == attempt,
            )
            .values(
                status=FAILED, cancelled=True, error=CANCELLED_MESSAGE, stage="cancelled",
                finished_at=utcnow(), heartbeat_at=utcnow(),
            )
        )


def _out_of_memory(
    runtime: Runtime, job: dict[str, Any], worker: str, attempt: int, advice: str
) -> None:
    """The GPU ran out of memory: queue the job again while it has attempts left (the
    engine stays loaded and freed what it held), then fail it with the engine's advice.
    Either way the job is not lost."""
    generation_id = job["id"]
    if attempt >= runtime.settings.job_max_attempts:
        log.warning("Generation %s ran out of GPU memory %d times", generation_id, attempt)
        _fail(runtime, generation_id, worker, attempt, advice)
        return
    with transaction(runtime.sessions) as session:
        requeued = session.execute(
            update(Generation)
            .where(
                Generation.id == generation_id,
                Generation.status == IN_PROGRESS,
                Generation.worker == worker,
                Generation.attempts == attempt,
                Generation.cancelled.is_(False),
            )
            .values(status=QUEUED, worker=None, stage="queued", progress=0, queued_at=utcnow())
        )
    if requeued.rowcount == 0:  # type: ignore[attr-defined]
        _finish_cancelled(runtime, generation_id, worker, attempt)
        return
    log.warning("Generation %s ran out of GPU memory; queued again", generation_id)
    _enqueue_generation(runtime, generation_id, job["engine"])


def _heartbeat_until(stop: threading.Event, recorder: _ProgressRecorder) -> None:
    while not stop.wait(HEARTBEAT_INTERVAL):
        try:
            recorder.write()
        except (_JobTakenAway, _CancelRequested):
            return
        except Exception:
            log.warning("Heartbeat for %s failed", recorder.generation_id, exc_info=True)


def run_generation(runtime: Runtime, generation_id: str) -> str | None:
    """Worker side of a generation: claim the job, run the engine with live progress,
    store the MP4 and thumbnail, create the draft video and mark the job completed.

    Engine errors fail the job with the engine's own sentence; anything unexpected fails
    it with a generic sentence and is logged. Returns the new video's id, or None.
    """
    worker = worker_name()
    attempt = claim_generation(runtime, generation_id, worker)
    if attempt is None:
        return None
    with runtime.sessions() as session:
        generation = session.get(Generation, generation_id)
        assert generation is not None
        job = {c.key: getattr(generation, c.key) for c in Generation.__table__.columns}
        upload_key = None
        if generation.image_id:
            upload = session.get(Upload, generation.image_id)
            upload_key = upload.storage_key if upload else None
        from kinema.accounts.models import User as Author

        author = session.get(Author, generation.user_id)
        job["author_handle"] = author.handle if author is not None else ""
        parent_plan = parent_key = None
        if generation.remix_of:
            parent = session.get(Video, generation.remix_of)
            if parent is not None:
                parent_plan, parent_key = dict(parent.plan or {}), parent.video_key

    recorder = _ProgressRecorder(runtime, generation_id, worker, attempt)
    stop_heartbeat = threading.Event()
    heartbeat = threading.Thread(
        target=_heartbeat_until, args=(stop_heartbeat, recorder), daemon=True
    )
    scratch_root = runtime.settings.data_dir / "tmp"
    scratch_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{generation_id}-", dir=scratch_root))
    heartbeat.start()
    try:
        image_path = parent_video = None
        if upload_key:
            image_path = scratch / Path(upload_key).name
            runtime.storage.copy_to(upload_key, image_path)
        if parent_key and runtime.storage.exists(parent_key):
            parent_video = scratch / "parent.mp4"
            runtime.storage.copy_to(parent_key, parent_video)
        from kinema.characters import service as characters

        cast = characters.character_refs(runtime, generation_id, job["prompt"], scratch)
        request = GenerationRequest(
            characters=cast,
            prompt=job["prompt"],
            output=scratch / "video.mp4",
            seconds=job["seconds"],
            width=job["width"],
            height=job["height"],
            fps=job["fps"],
            seed=job["seed"],
            image=image_path,
            parent_plan=parent_plan,
            parent_video=parent_video,
            plan=job["plan"],
            # GPU engines continue the parent's frames; without them it is a remix.
            extend_seconds=job["extend_seconds"] if parent_video is not None else 0.0,
            captions=bool(job["captions"]),
        )
        engine = get_engine(job["engine"])
        generate: Callable[..., Any] = engine.generate
        if _takes_cancel_check(engine):
            result = generate(request, recorder, should_cancel=recorder.should_cancel)
        else:
            result = generate(request, recorder)
        recorder.write(stage="checks", percent=97)
        verdict = safety.check_rendered_video(
            runtime.sessions,
            job["user_id"],
            [line.text for line in result.transcript],
            result.video_path,
        )
        if not verdict.allowed:
            _fail(runtime, generation_id, worker, attempt, verdict.message)
            return None
        # The id is chosen now: the invisible mark carries it.
        video_id = new_id("vid")
        recorder.write(stage="provenance", percent=97)
        marked = provenance.apply_provenance(
            runtime.settings,
            result.video_path,
            scratch / "provenance",
            video_id=video_id,
            author_handle=job["author_handle"],
        )
        recorder.write(stage="save", percent=98)
        return _keep_result(runtime, job, worker, attempt, result, video_id, marked)
    except _JobTakenAway:
        log.info("Generation %s was recovered by another worker; stopping", generation_id)
        return None
    except (_CancelRequested, GenerationCancelled):
        _finish_cancelled(runtime, generation_id, worker, attempt)
        return None
    except OutOfMemory as exc:
        _out_of_memory(runtime, job, worker, attempt, str(exc))
        return None
    except EngineError as exc:
        _fail(runtime, generation_id, worker, attempt, str(exc) or RENDER_FAILED_MESSAGE)
        return None
    except Exception:
        log.exception("Generation %s failed", generation_id)
        _fail(runtime, generation_id, worker, attempt, RENDER_FAILED_MESSAGE)
        return None
    finally:
        stop_heartbeat.set()
        heartbeat.join(timeout=HEARTBEAT_INTERVAL + 1)
        shutil.rmtree(scratch, ignore_errors=True)


def _takes_cancel_check(engine: Any) -> bool:
    """Whether the engine's ``generate`` accepts ``should_cancel`` (the GPU engines do;
    others are stopped from their progress callback)."""
    try:
        parameters = inspect.signature(engine.generate).parameters
    except (TypeError, ValueError):
        return False
    return "should_cancel" in parameters


def _keep_result(
    runtime: Runtime,
    job: dict[str, Any],
    worker: str,
    attempt: int,
    result: Any,
    video_id: str,
    marked: provenance.ProvenanceResult,
) -> str | None:
    facts = probe_video(marked.video_path)
    video_key, thumbnail_key = f"videos/{video_id}.mp4", f"videos/{video_id}.jpg"
    runtime.storage.put_file(video_key, marked.video_path)
    # The poster of the marked video, not the engine's: a still reposted from the
    # thumbnail carries the watermark as well.
    runtime.storage.put_file(thumbnail_key, marked.poster_path)
    now = utcnow()
    with transaction(runtime.sessions) as session:
        claimed = session.execute(
            update(Generation)
            .where(
                Generation.id == job["id"],
                Generation.status == IN_PROGRESS,
                Generation.worker == worker,
                Generation.attempts == attempt,
            )
            .values(
                status=COMPLETED,
                progress=100,
                stage="done",
                finished_at=now,
                heartbeat_at=now,
                video_id=None,
            )
        )
        if claimed.rowcount == 0:  # type: ignore[attr-defined]
            session.rollback()
            runtime.storage.delete(video_key)
            runtime.storage.delete(thumbnail_key)
            return None
        session.add(
            Video(
                id=video_id,
                author_id=job["user_id"],
                generation_id=job["id"],
                prompt=job["prompt"],
                caption="",
                status=DRAFT,
                seconds=round(facts.seconds or job["seconds"], 3),
                width=facts.width,
                height=facts.height,
                fps=round(facts.fps) or job["fps"],
                engine=result.engine or job["engine"],
                remix_of=job["remix_of"],
                plan=result.plan,
                transcript=[_transcript_line(line) for line in result.transcript],
                credits=list(result.credits),
                video_key=video_key,
                thumbnail_key=thumbnail_key,
                created_at=now,
            )
        )
        session.flush()
        from kinema.characters import service as characters

        characters.record_appearances(session, video_id, job["id"])
        provenance.record_fingerprint(session, video_id, marked.fingerprint)
        session.execute(
            update(Generation).where(Generation.id == job["id"]).values(video_id=video_id)
        )
    return video_id


def _transcript_line(line: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(line) and not isinstance(line, type):
        return dataclasses.asdict(line)
    return dict(line)


@dataclass
class RecoveryReport:
    requeued: list[str]
    failed: list[str]


def _announce_failure(runtime: Runtime, generation_id: str) -> None:
    from kinema.webhooks import service as webhooks

    try:
        webhooks.announce_generation(runtime, generation_id)
    except Exception:
        log.exception("Could not announce generation %s to webhooks", generation_id)


def recover_stalled_generations(runtime: Runtime, *, now: datetime | None = None) -> RecoveryReport:
    """Find jobs whose worker died (its process is gone, or no heartbeat for
    ``job_timeout_seconds``) and queue them again; after ``job_max_attempts`` tries they
    fail with a plain message instead. Queued jobs that have waited longer than the
    timeout are queued again too, in case the queue lost them (running a job twice is
    harmless: only one delivery can claim it)."""
    settings = runtime.settings
    now = now or utcnow()
    cutoff = now - timedelta(seconds=settings.job_timeout_seconds)
    report = RecoveryReport(requeued=[], failed=[])
    with runtime.sessions() as session:
        running = session.execute(
            select(
                Generation.id,
                Generation.worker,
                Generation.attempts,
                Generation.heartbeat_at,
                Generation.engine,
                Generation.cancelled,
            ).where(Generation.status == IN_PROGRESS)
        ).all()
        waiting = session.execute(
            select(Generation.id, Generation.engine).where(
                Generation.status == QUEUED, Generation.queued_at < cutoff
            )
        ).all()
    for generation_id, worker, attempts, heartbeat_at, engine, cancelled in running:
        stale = heartbeat_at is None or heartbeat_at < cutoff
        if not (stale or _worker_is_dead(worker)):
            continue
        # A job its owner cancelled is not run again, whatever happened to its worker.
        give_up = cancelled or attempts >= settings.job_max_attempts
        values: dict[str, Any]
        if cancelled:
            values = {
                "status": FAILED, "finished_at": now, "error": CANCELLED_MESSAGE,
                "stage": "cancelled",
            }
        elif give_up:
            values = {
                "status": FAILED,
                "finished_at": now,
                "error": f"{RENDER_FAILED_MESSAGE} It was tried {attempts} times and the "
                "worker stopped each time.",
            }
        else:
            values = {"status": QUEUED, "queued_at": now, "worker": None, "stage": "queued"}
        with transaction(runtime.sessions) as session:
            result = session.execute(
                update(Generation)
                .where(
                    Generation.id == generation_id,
                    Generation.status == IN_PROGRESS,
                    Generation.attempts == attempts,
                    Generation.worker == worker
                    if worker is not None
                    else Generation.worker.is_(None),
                )
                .values(**values)
            )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            continue  # someone else recovered or finished it meanwhile
        if give_up:
            log.warning("Generation %s failed after %d attempts", generation_id, attempts)
            report.failed.append(generation_id)
            # It never passes through the generation task again, which would announce it.
            _announce_failure(runtime, generation_id)
        else:
            log.warning("Generation %s lost its worker; queued again", generation_id)
            _enqueue_generation(runtime, generation_id, engine)
            report.requeued.append(generation_id)
    for generation_id, engine in waiting:
        with transaction(runtime.sessions) as session:
            session.execute(
                update(Generation)
                .where(Generation.id == generation_id, Generation.status == QUEUED)
                .values(queued_at=now)
            )
        _enqueue_generation(runtime, generation_id, engine)
        report.requeued.append(generation_id)
    return report


# ---------------------------------------------------------------------------- videos


def get_video_for_viewer(session: Session, video_id: str, viewer: User | None) -> Video:
    """The video if ``viewer`` may see it: published videos for everyone, drafts and
    removed videos for their author (removed ones for moderators too); otherwise
    ``NotFound``, so a private draft's existence is not revealed. A block between the
    viewer and the author hides the video both ways, exactly as if it did not exist
    (moderators are not hidden from by a block)."""
    return _visible_video(session, video_id, viewer, honour_blocks=True)


def get_video_for_report(session: Session, video_id: str, reporter: User) -> Video:
    """The video if ``reporter`` may report it: what ``get_video_for_viewer`` shows them,
    except that a block does not hide it. People often block someone and then report
    what they saw; drafts of others and removed videos stay ``NotFound``."""
    return _visible_video(session, video_id, reporter, honour_blocks=False)


def _visible_video(
    session: Session, video_id: str, viewer: User | None, *, honour_blocks: bool
) -> Video:
    video = session.get(Video, video_id)
    if video is None:
        raise NotFound("That video was not found.")
    if viewer is not None and viewer.id == video.author_id:
        return video
    staff = _is_staff(viewer)
    if (
        honour_blocks
        and viewer is not None
        and not staff
        and _hidden_by_block(session, viewer.id, video.author_id)
    ):
        raise NotFound("That video was not found.")
    if video.status == PUBLISHED:
        return video
    if video.status == REMOVED and staff:
        return video
    raise NotFound("That video was not found.")


def _hidden_by_block(session: Session, viewer_id: str, author_id: str) -> bool:
    # Imported here: the social package imports this module.
    from kinema.social import service as social

    return social.is_hidden_between(session, viewer_id, author_id)


def _own_video(session: Session, user: User, video_id: str) -> Video:
    video = get_video_for_viewer(session, video_id, user)
    if video.author_id != user.id:
        raise Forbidden("Only the author can do that with this video.")
    return video


def publish_video(
    session: Session, user: User, video_id: str, *, caption: str | None = None
) -> Video:
    """Publish one of the caller's drafts (or change a published video's caption)."""
    video = _own_video(session, user, video_id)
    if video.status == REMOVED:
        raise Forbidden("This video was removed by moderators and cannot be published.")
    if caption is not None:
        caption = caption.strip()
        if len(caption) > MAX_CAPTION_CHARS:
            raise InvalidInput(
                f"The caption is {len(caption)} characters long; the limit is {MAX_CAPTION_CHARS}."
            )
        safety.moderate(session, user, caption, "caption")
        video.caption = caption
    if video.status == DRAFT:
        video.status = PUBLISHED
        video.published_at = utcnow()
        session.flush()
        if video.remix_of is not None:
            # Imported here: the social package imports this module.
            from kinema.social import service as social

            social.record_published_remix(session, video)
    session.flush()
    return video


def delete_video(session: Session, runtime: Runtime, user: User, video_id: str) -> None:
    """Delete one of the caller's videos (admins may delete any); its files go once the
    deletion is committed."""
    is_admin = user.is_admin or user.role == "admin"
    video = (
        session.get(Video, video_id) if is_admin else get_video_for_viewer(session, video_id, user)
    )
    if video is None:
        raise NotFound("That video was not found.")
    if video.author_id != user.id and not is_admin:
        raise Forbidden("Only the author can delete this video.")
    _delete_media_after_commit(session, runtime, video)
    session.execute(update(Generation).where(Generation.video_id == video.id).values(video_id=None))
    session.delete(video)
    session.flush()


def _delete_media_after_commit(session: Session, runtime: Runtime, video: Video) -> None:
    """Delete the video's own files once the transaction that drops it has committed
    (seeded videos share their media and keep it)."""
    keys = [] if video.shares_media else [video.video_key, video.thumbnail_key]

    def remove_files() -> None:
        for key in keys:
            try:
                runtime.storage.delete(key)
            except Exception:
                log.warning("Could not delete media %s", key, exc_info=True)

    _after_commit(session, remove_files)


def set_video_removed(session: Session, video_id: str, *, removed: bool) -> Video:
    """Moderators take a video down (``removed``: nobody but its author and moderators
    can see it) or put it back as it was before: published if it had been published,
    otherwise a draft."""
    video = session.get(Video, video_id)
    if video is None:
        raise NotFound("That video was not found.")
    if removed:
        video.status = REMOVED
    elif video.status == REMOVED:
        video.status = PUBLISHED if video.published_at is not None else DRAFT
    session.flush()
    return video


def withdraw_video(session: Session, runtime: Runtime, video_id: str) -> None:
    """Someone shown in a video withdrew their consent (or their character was deleted):
    the video is removed for everyone, its author included, and its media files are
    deleted once this is committed, so it cannot be watched or restored."""
    video = session.get(Video, video_id)
    if video is None:
        return
    video.status = REMOVED
    session.flush()
    _delete_media_after_commit(session, runtime, video)


def list_drafts(session: Session, user: User, *, limit: int = 100) -> list[Video]:
    """The caller's drafts, newest first."""
    return list(
        session.scalars(
            select(Video)
            .where(Video.author_id == user.id, Video.status == DRAFT)
            .order_by(Video.created_at.desc(), Video.id.desc())
            .limit(limit)
        )
    )
