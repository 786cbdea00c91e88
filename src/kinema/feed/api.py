"""Feed routes (API.md "Social and feed"): the ranked feed, steering, not-interested
and the seen set."""

from __future__ import annotations

from fastapi import APIRouter

from kinema.api.deps import CurrentUser, OptionalUser, SessionDep
from kinema.feed import service
from kinema.feed.schemas import (
    FeedInstructionBody,
    FeedPageOut,
    FeedSettings,
    FeedVideo,
    SeenBody,
)
from kinema.social.service import liked_video_ids
from kinema.studio.schemas import present_videos

router = APIRouter(prefix="/api", tags=["feed"])


@router.get("/feed")
def feed(
    viewer: OptionalUser, session: SessionDep, cursor: str | None = None, limit: int | None = None
) -> FeedPageOut:
    """Your feed, a page at a time: people you follow and interact with first, then
    trending, remix-inspiring and fresh videos, steered by your instruction."""
    page = service.read_feed(session, viewer, cursor=cursor, limit=limit)
    videos = [entry.video for entry in page.entries]
    liked = liked_video_ids(session, viewer, [v.id for v in videos])
    items = [
        FeedVideo(**shown.model_dump(), reason=entry.reason, score=entry.score,
                  liked=entry.video.id in liked)
        for shown, entry in zip(present_videos(session, videos), page.entries, strict=True)
    ]
    return FeedPageOut(items=items, next_cursor=page.next_cursor, caught_up=page.caught_up)


@router.get("/me/feed")
def feed_settings(user: CurrentUser, session: SessionDep) -> FeedSettings:
    """Your feed instruction and how it was understood."""
    return FeedSettings.of(service.feed_instruction(session, user))


@router.put("/me/feed")
def steer(body: FeedInstructionBody, user: CurrentUser, session: SessionDep) -> FeedSettings:
    """Steer your feed in plain words ("more cooking and animals, no sports")."""
    return FeedSettings.of(service.steer_feed(session, user, body.instruction))


@router.post("/videos/{video_id}/not-interested")
def not_interested(video_id: str, user: CurrentUser, session: SessionDep) -> dict[str, bool]:
    """Never show this video in your feed again."""
    service.mark_not_interested(session, user, video_id)
    return {"not_interested": True}


@router.post("/feed/seen")
def seen(body: SeenBody, user: CurrentUser, session: SessionDep) -> dict[str, int]:
    """Record videos you watched, so the feed moves on to new ones."""
    return {"recorded": service.mark_seen(session, user, body.video_ids)}
