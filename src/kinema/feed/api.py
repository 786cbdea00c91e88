"""Feed routes (API.md "Social and feed"): the ranked feed, steering, not-interested
and the seen set."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Response

from kinema.api.deps import CurrentUser, OptionalUser, SessionDep
from kinema.feed import service
from kinema.feed.schemas import (
    FeedInstructionBody,
    FeedPageOut,
    FeedSettings,
    SeenBody,
)
from kinema.feed.service import FeedEntry
from kinema.studio.captions import caption_cues, track_language

router = APIRouter(prefix="/api", tags=["feed"])

_EMPTY_OBJECT = orjson.Fragment(b"{}")
_EMPTY_LIST = orjson.Fragment(b"[]")


def _json_text(raw: str | None, empty: orjson.Fragment) -> orjson.Fragment:
    """A JSON column's stored text, copied into the answer without parsing it."""
    return orjson.Fragment(raw) if raw and raw != "null" else empty


def _captions_language(transcript: str | None, plan: str | None, seconds: float) -> str | None:
    """The language of the video's dialogue track, read from its stored transcript (or,
    for a video without one, from the dialogue in its plan)."""
    lines = orjson.loads(transcript) if transcript else []
    spoken = None
    if plan and not lines and '"dialogue"' in plan:
        spoken = orjson.loads(plan)
    return track_language(caption_cues(lines, spoken, seconds))


def _item(entry: FeedEntry, characters: list[dict[str, str]]) -> dict[str, Any]:
    """One feed video in the shape of ``FeedVideo`` (same fields, same order)."""
    video = entry.video
    return {
        "id": video.id,
        "author": {"id": video.author_id, "handle": video.handle,
                   "display_name": video.display_name},
        "prompt": video.prompt,
        "caption": video.caption or "",
        "status": video.status,
        "seconds": video.seconds,
        "size": f"{video.width}x{video.height}",
        "width": video.width,
        "height": video.height,
        "fps": video.fps,
        "remix_of": video.remix_of,
        "plan": _json_text(video.plan, _EMPTY_OBJECT),
        "transcript": _json_text(video.transcript, _EMPTY_LIST),
        "credits": _json_text(video.credits, _EMPTY_LIST),
        "characters": characters,
        "like_count": video.like_count,
        "comment_count": video.comment_count,
        "remix_count": video.remix_count,
        "created_at": video.created_at,
        "published_at": video.published_at,
        "content_url": f"/api/videos/{video.id}/content",
        "thumbnail_url": f"/api/videos/{video.id}/content?variant=thumbnail",
        "captions_url": f"/api/videos/{video.id}/captions.vtt",
        "captions_language": _captions_language(video.transcript, video.plan, video.seconds),
        "reason": entry.reason,
        "score": entry.score,
        "liked": bool(video.liked),
    }


@router.get("/feed", response_model=FeedPageOut)
def feed(
    viewer: OptionalUser, session: SessionDep, cursor: str | None = None, limit: int | None = None
) -> Response:
    """Your feed, a page at a time: people you follow and interact with first, then
    trending, remix-inspiring and fresh videos, steered by your instruction.

    Opening the feed again within 30 seconds shows the same ranking, unless you followed,
    blocked, liked, commented, steered, marked a video not-interested or watched one
    since, or someone you follow published: those show at once. New videos from anyone
    else join the next ranking, at most 30 seconds later."""
    from kinema.characters.service import characters_by_video

    page = service.read_feed(session, viewer, cursor=cursor, limit=limit)
    cast = characters_by_video(
        session, [entry.video.id for entry in page.entries if entry.video.has_cast]
    )
    # Written straight to JSON: the stored plans are copied in as they are, and no
    # model is built per video (this is the app's busiest answer).
    body = orjson.dumps(
        {
            "items": [_item(entry, cast.get(entry.video.id, [])) for entry in page.entries],
            "next_cursor": page.next_cursor,
            "caught_up": page.caught_up,
        },
        option=orjson.OPT_UTC_Z,
    )
    return Response(content=body, media_type="application/json")


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
