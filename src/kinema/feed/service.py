"""Feed operations: read a page of the feed, steer it in plain words, say "not
interested", record what was watched.

Paging is stable while videos keep arriving: the first page freezes the whole ranking
in a snapshot and the cursor is a position in it, so later pages neither repeat nor
skip anything because of new videos. When a snapshot runs out, a fresh one continues
the scroll, leaving out everything the earlier ones showed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kinema.accounts.models import User
from kinema.db import utcnow
from kinema.errors import InvalidInput
from kinema.feed.instruction import MAX_INSTRUCTION_CHARS, FeedInstruction, parse_instruction
from kinema.feed.models import FeedPreference, FeedSnapshot, NotInterested, SeenVideo
from kinema.feed.pipeline import FeedContext, followed_by, rank
from kinema.ids import new_id
from kinema.social import service as social
from kinema.studio.models import PUBLISHED, Video

DEFAULT_PAGE = 10
MAX_PAGE = 50
SNAPSHOT_SIZE = 600
SNAPSHOT_LIFETIME = timedelta(days=1)
MAX_SEEN_PER_CALL = 200


@dataclass
class FeedEntry:
    """A video in a feed page, with why it is there."""

    video: Video
    reason: str
    score: float


@dataclass
class FeedPage:
    entries: list[FeedEntry]
    next_cursor: str | None
    # True when everything new was already watched and the feed shows it again.
    caught_up: bool = False


# ---------------------------------------------------------------------------- steering


def feed_instruction(session: Session, user: User | None) -> FeedInstruction:
    """The person's current feed instruction, as understood."""
    if user is None:
        return FeedInstruction()
    preference = session.get(FeedPreference, user.id)
    if preference is None:
        return FeedInstruction()
    return FeedInstruction(
        text=preference.instruction,
        boosts=list(preference.boosts or []),
        reductions=list(preference.reductions or []),
        exclusions=list(preference.exclusions or []),
    )


def steer_feed(session: Session, user: User, instruction: str) -> FeedInstruction:
    """Set the person's plain-language feed instruction ("more cooking and animals, no
    sports"); an empty one goes back to the default feed."""
    text = " ".join((instruction or "").split())
    if len(text) > MAX_INSTRUCTION_CHARS:
        raise InvalidInput(
            f"Keep the instruction under {MAX_INSTRUCTION_CHARS} characters.",
            code="instruction_too_long",
        )
    understood = parse_instruction(text)
    if text and understood.is_empty:
        raise InvalidInput(
            'That instruction names no topic. Try something like "more cooking, no sports".',
            code="instruction_not_understood",
        )
    preference = session.get(FeedPreference, user.id)
    if preference is None:
        preference = FeedPreference(user_id=user.id)
        session.add(preference)
    preference.instruction = understood.text
    preference.boosts = understood.boosts
    preference.reductions = understood.reductions
    preference.exclusions = understood.exclusions
    preference.updated_at = utcnow()
    session.flush()
    return understood


# ---------------------------------------------------------------------------- marks


def _insert_ignore(session: Session, model: type, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(model).values(rows).on_conflict_do_nothing())


def mark_not_interested(session: Session, user: User, video_id: str) -> None:
    """The person does not want this video: it leaves their feed for good."""
    video = social.visible_video(session, user, video_id)
    _insert_ignore(
        session, NotInterested, [{"user_id": user.id, "video_id": video.id,
                                  "created_at": utcnow()}]
    )
    session.flush()


def mark_seen(session: Session, user: User, video_ids: list[str]) -> int:
    """Record videos the person watched; the feed leaves them out from now on. Unknown
    ids are ignored. Returns how many were recorded."""
    wanted = list(dict.fromkeys(video_ids))[:MAX_SEEN_PER_CALL]
    if not wanted:
        return 0
    known = list(
        session.scalars(select(Video.id).where(Video.id.in_(wanted), Video.status == PUBLISHED))
    )
    now = utcnow()
    _insert_ignore(
        session, SeenVideo, [{"user_id": user.id, "video_id": v, "seen_at": now} for v in known]
    )
    session.flush()
    return len(known)


# ---------------------------------------------------------------------------- pages


def _cursor(snapshot_id: str, offset: int) -> str:
    return f"{snapshot_id}~{offset}"


def _parse_cursor(cursor: str) -> tuple[str, int]:
    snapshot_id, _, offset = cursor.partition("~")
    if not snapshot_id.startswith("fds_") or not offset.isdigit():
        raise InvalidInput("That cursor is not valid; start again without one.",
                           code="invalid_cursor")
    return snapshot_id, int(offset)


def _new_snapshot(
    session: Session, viewer: User | None, shown_before: list[str], *, skip_seen: bool = True
) -> FeedSnapshot:
    now = utcnow()
    ctx = FeedContext(
        session=session,
        viewer=viewer,
        now=now,
        instruction=feed_instruction(session, viewer),
        followed=followed_by(session, viewer.id) if viewer else set(),
        hidden=social.hidden_user_ids(session, viewer.id if viewer else None),
        shown_before=set(shown_before),
        skip_seen=skip_seen,
        rng=random.Random(),
    )
    ranked = rank(ctx)[:SNAPSHOT_SIZE]
    owner = FeedSnapshot.user_id == viewer.id if viewer else FeedSnapshot.user_id.is_(None)
    session.execute(
        delete(FeedSnapshot).where(owner, FeedSnapshot.created_at < now - SNAPSHOT_LIFETIME)
    )
    snapshot = FeedSnapshot(
        id=new_id("fds"),
        user_id=viewer.id if viewer else None,
        entries=[[c.video_id, c.reason, c.score] for c in ranked],
        shown_before=shown_before,
        created_at=now,
    )
    session.add(snapshot)
    session.flush()
    return snapshot


def _page_from(
    session: Session, viewer: User | None, snapshot: FeedSnapshot, offset: int, limit: int
) -> tuple[list[FeedEntry], int]:
    """The still-showable videos of ``snapshot`` from ``offset``, and where the next
    page starts. Videos deleted, unpublished, blocked or marked not-interested since the
    snapshot was taken are skipped."""
    slice_ = snapshot.entries[offset : offset + limit]
    ids = [entry[0] for entry in slice_]
    # The status is checked here rather than in SQL, so SQLite looks the ids up
    # directly instead of walking the published-videos index.
    videos = {
        v.id: v
        for v in session.scalars(select(Video).where(Video.id.in_(ids)))
        if v.status == PUBLISHED
    } if ids else {}
    hidden = social.hidden_user_ids(session, viewer.id if viewer else None)
    dropped: set[str] = set()
    if viewer is not None and ids:
        dropped = set(
            session.scalars(
                select(NotInterested.video_id).where(
                    NotInterested.user_id == viewer.id, NotInterested.video_id.in_(ids)
                )
            )
        )
    entries = []
    for video_id, reason, score in slice_:
        video = videos.get(video_id)
        if video is None or video.author_id in hidden or video_id in dropped:
            continue
        entries.append(FeedEntry(video=video, reason=str(reason), score=float(score)))
    return entries, offset + len(slice_)


def read_feed(
    session: Session, viewer: User | None, *, cursor: str | None = None, limit: int | None = None
) -> FeedPage:
    """A page of the person's feed (signed-out visitors get the shared one)."""
    size = DEFAULT_PAGE if limit is None else limit
    if not 1 <= size <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", code="invalid_limit")
    caught_up = False
    if cursor:
        snapshot_id, offset = _parse_cursor(cursor)
        snapshot = session.get(FeedSnapshot, snapshot_id)
        if snapshot is None or snapshot.user_id != (viewer.id if viewer else None):
            raise InvalidInput(
                "That feed position has expired; start again from the top.",
                code="invalid_cursor",
            )
        if offset >= len(snapshot.entries):
            shown = list(snapshot.shown_before) + [entry[0] for entry in snapshot.entries]
            if not snapshot.entries:
                return FeedPage(entries=[], next_cursor=None)
            snapshot = _new_snapshot(session, viewer, shown)
            offset = 0
    else:
        snapshot = _new_snapshot(session, viewer, [])
        if not snapshot.entries and viewer is not None:
            # Everything was watched already: show it again rather than nothing.
            snapshot = _new_snapshot(session, viewer, [], skip_seen=False)
            caught_up = bool(snapshot.entries)
        offset = 0
    entries, next_offset = _page_from(session, viewer, snapshot, offset, size)
    next_cursor = _cursor(snapshot.id, next_offset) if snapshot.entries else None
    return FeedPage(entries=entries, next_cursor=next_cursor, caught_up=caught_up)
