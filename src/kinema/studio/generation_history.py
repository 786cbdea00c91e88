"""A person's generation jobs as a list they can page through, and deleting one for good
(the job and the draft it made), as the OpenAI-compatible Videos API shows them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.errors import NotFound
from kinema.studio import service
from kinema.studio.models import Generation, Video

if TYPE_CHECKING:
    from kinema.accounts.models import User
    from kinema.runtime import Runtime

MAX_PAGE = 100


@dataclass
class GenerationPage:
    items: list[Generation]
    has_more: bool


def list_generations(
    session: Session,
    user: User,
    *,
    after: str | None = None,
    limit: int = 20,
    order: Literal["asc", "desc"] = "desc",
) -> GenerationPage:
    """The caller's generations, newest first by default, ``limit`` at a time (1-100),
    continuing after the generation id ``after``. Ids sort by creation time, so the id is
    the cursor."""
    limit = max(1, min(int(limit), MAX_PAGE))
    query = select(Generation).where(Generation.user_id == user.id)
    if after:
        query = query.where(Generation.id < after if order == "desc" else Generation.id > after)
    query = query.order_by(Generation.id.desc() if order == "desc" else Generation.id.asc())
    rows = list(session.scalars(query.limit(limit + 1)))
    return GenerationPage(items=rows[:limit], has_more=len(rows) > limit)


def source_generation_id(session: Session, user: User, video_id: str | None) -> str | None:
    """The generation that made ``video_id`` (what a remix's parent is called in the
    OpenAI-compatible API), if the caller may see that video."""
    if video_id is None:
        return None
    try:
        video = service.get_video_for_viewer(session, video_id, user)
    except NotFound:
        return None
    return video.generation_id


def delete_generation(session: Session, runtime: Runtime, user: User, generation_id: str) -> None:
    """Delete one of the caller's generations and the draft it made, files included. A
    job still running is dropped too: its worker finds the row gone and keeps nothing."""
    generation = service.get_generation(session, user, generation_id)
    if generation.user_id != user.id:
        raise NotFound("That video was not found.")
    if generation.video_id is not None and session.get(Video, generation.video_id) is not None:
        service.delete_video(session, runtime, user, generation.video_id)
    session.delete(generation)
    session.flush()
