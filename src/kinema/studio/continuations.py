"""Making a new video from one of your finished generations: a remix with a new prompt,
a prompt edit, or an extension that continues it by a few seconds.

Each is a generation requested through ``kinema.studio.service.request_generation`` with
the source video as ``remix_of``, so quotas, moderation, character permissions and the
draft it lands in work exactly as for any other video. Generations are addressed by
their id here because that is what the OpenAI-compatible API calls a video.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from kinema.engines.base import MAX_SECONDS, MIN_SECONDS, InvalidRequest
from kinema.engines.procedural.continuation import extend_plan
from kinema.errors import InvalidInput
from kinema.studio import service
from kinema.studio.models import COMPLETED, Generation, Video

if TYPE_CHECKING:
    from kinema.accounts.models import User
    from kinema.runtime import Runtime


def finished_video_of(session: Session, user: User, generation_id: str) -> tuple[Generation, Video]:
    """The caller's completed generation and the video it made; ``NotFound`` for
    unknown ids and other people's, ``InvalidInput`` while it is not finished or after
    its video was deleted."""
    generation = service.get_generation(session, user, generation_id)
    if generation.status != COMPLETED:
        raise InvalidInput(
            f"Video {generation_id} is {generation.status.replace('_', ' ')}; only a "
            "completed video can be used here.",
            code="video_not_ready",
        )
    if generation.video_id is None:
        raise InvalidInput(
            f"The video made by {generation_id} was deleted.", code="video_deleted"
        )
    video = service.get_video_for_viewer(session, generation.video_id, user)
    return generation, video


def request_remix(
    session: Session, runtime: Runtime, user: User, generation_id: str, *, prompt: str
) -> Generation:
    """A new video from the finished one, changed as ``prompt`` says, with the same
    length, size, engine and captions."""
    source, video = finished_video_of(session, user, generation_id)
    return service.request_generation(
        session,
        runtime,
        user,
        prompt=prompt,
        seconds=video.seconds if MIN_SECONDS <= video.seconds <= MAX_SECONDS else source.seconds,
        size=source.size,
        remix_of=video.id,
        engine=source.engine,
        # The procedural engine keeps a photo video's photo through the remix.
        image_id=source.image_id if source.engine == "procedural" else None,
        captions=bool(source.captions),
    )


def request_edit(
    session: Session, runtime: Runtime, user: User, generation_id: str, *, instruction: str
) -> Generation:
    """Edit a finished video with a plain-language instruction ("make it night", "add
    rain"): the engine applies the instruction to the source's scene description and
    keeps everything else."""
    return request_remix(session, runtime, user, generation_id, prompt=instruction)


def request_extension(
    session: Session,
    runtime: Runtime,
    user: User,
    generation_id: str,
    *,
    prompt: str,
    seconds: float,
) -> Generation:
    """Continue a finished video by ``seconds`` more, as ``prompt`` describes. The
    result is the whole, longer video (the source plus the continuation), which may be
    at most ``MAX_SECONDS`` long."""
    source, video = finished_video_of(session, user, generation_id)
    if seconds <= 0:
        raise InvalidInput("An extension must add at least one second.", param="seconds")
    base = round(video.seconds)
    total = base + seconds
    if total > MAX_SECONDS:
        raise InvalidInput(
            f"The video is {base:g} seconds long; adding {seconds:g} would make it "
            f"{total:g}, and videos are at most {MAX_SECONDS} seconds.",
            param="seconds",
        )
    if source.engine == "procedural":
        # The exact continuation: the source's plan plus new shots, rendered as given.
        try:
            plan = extend_plan(video.plan, prompt, seconds)
        except InvalidRequest as exc:
            raise InvalidInput(str(exc)) from None
        return service.request_generation(
            session, runtime, user, prompt=prompt, seconds=plan["seconds"],
            size=source.size, remix_of=video.id, engine=source.engine, plan=plan,
            image_id=source.image_id,  # a plan made with a picture needs it again
            captions=bool(source.captions),
        )
    # Other engines continue the source's last frames by ``seconds``; the result is the
    # source followed by the continuation.
    return service.request_generation(
        session,
        runtime,
        user,
        prompt=prompt,
        seconds=total,
        size=source.size,
        remix_of=video.id,
        engine=source.engine,
        extend_seconds=seconds,
        captions=bool(source.captions),
    )
