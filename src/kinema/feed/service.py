"""Feed operations: read a page of the feed, steer it in plain words, say "not
interested", record what was watched.

Paging is stable while videos keep arriving: the first page freezes the whole ranking
in a snapshot and the cursor is a position in it, so later pages neither repeat nor
skip anything because of new videos. When a snapshot runs out, a fresh one continues
the scroll, leaving out everything the earlier ones showed.
"""

from __future__ import annotations

import random
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    String,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kinema.accounts.models import User
from kinema.characters.models import CharacterAppearance
from kinema.db import UTCDateTime, utcnow
from kinema.errors import InvalidInput
from kinema.feed.instruction import MAX_INSTRUCTION_CHARS, FeedInstruction, parse_instruction
from kinema.feed.models import FeedPreference, FeedSnapshot, NotInterested, SeenVideo
from kinema.feed.pipeline import WEIGHTS, FeedContext, followed_by, rank
from kinema.ids import new_id
from kinema.social import service as social
from kinema.social.models import Block, Comment, Follow, Like
from kinema.studio.models import PUBLISHED, Video

DEFAULT_PAGE = 10
MAX_PAGE = 50
SNAPSHOT_SIZE = 600
SNAPSHOT_LIFETIME = timedelta(days=1)
MAX_SEEN_PER_CALL = 200
# Opening the feed again this soon shows the same ranking, unless something that shapes
# it changed (see ``read_feed``).
REUSE_SECONDS = 30.0
SNAPSHOTS_KEPT = 2_000  # per process


@dataclass
class FeedEntry:
    """A video in a feed page, with why it is there."""

    video: VideoRow
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
    # Only videos the person may see count: not across a block, either way.
    blocked = select(Block.blocked_id).where(Block.blocker_id == user.id).union(
        select(Block.blocker_id).where(Block.blocked_id == user.id)
    )
    known = list(
        session.scalars(
            select(Video.id).where(
                Video.id.in_(wanted), Video.status == PUBLISHED, Video.author_id.not_in(blocked)
            )
        )
    )
    now = utcnow()
    _insert_ignore(
        session, SeenVideo, [{"user_id": user.id, "video_id": v, "seen_at": now} for v in known]
    )
    session.flush()
    return len(known)


# ---------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class _Frozen:
    """A snapshot as this process keeps it, so paging never re-reads or re-parses it."""

    id: str
    user_id: str | None
    video_ids: list[str]
    reasons: bytes  # index into REASONS per entry: a compact copy of each entry's reason
    scores: list[float]
    shown_before: list[str]
    created_at: datetime
    caught_up: bool = False
    follows: int = 0
    blocks: int = 0
    made: float = field(default_factory=time.monotonic)

    def __len__(self) -> int:
        return len(self.video_ids)


REASONS: tuple[str, ...] = tuple(WEIGHTS)
_REASON_INDEX = {name: index for index, name in enumerate(REASONS)}
_FRESH = _REASON_INDEX["fresh"]


class _SnapshotCache:
    """Recent snapshots by id, and each person's newest first-page snapshot, kept in
    the process (least recently used go first). The database row stays the record, so
    another process, or this one after a restart, still pages through it."""

    def __init__(self, size: int = SNAPSHOTS_KEPT) -> None:
        self._size = size
        self._by_id: OrderedDict[str, _Frozen] = OrderedDict()
        self._latest: dict[tuple[str, str | None], str] = {}
        self._lock = threading.Lock()

    def get(self, snapshot_id: str) -> _Frozen | None:
        with self._lock:
            found = self._by_id.get(snapshot_id)
            if found is not None:
                self._by_id.move_to_end(snapshot_id)
            return found

    def put(self, frozen: _Frozen) -> None:
        with self._lock:
            self._by_id[frozen.id] = frozen
            self._by_id.move_to_end(frozen.id)
            while len(self._by_id) > self._size:
                self._by_id.popitem(last=False)
            if len(self._latest) > 4 * self._size:
                self._latest = {k: v for k, v in self._latest.items() if v in self._by_id}

    def latest(self, database: str, user_id: str | None) -> _Frozen | None:
        with self._lock:
            snapshot_id = self._latest.get((database, user_id))
            return self._by_id.get(snapshot_id) if snapshot_id else None

    def set_latest(self, database: str, frozen: _Frozen) -> None:
        with self._lock:
            self._latest[(database, frozen.user_id)] = frozen.id

    def clear(self) -> None:
        with self._lock:
            self._by_id.clear()
            self._latest.clear()


SNAPSHOTS = _SnapshotCache()


def _database(session: Session) -> str:
    return str(session.get_bind().engine.url)


def _cursor(snapshot_id: str, offset: int) -> str:
    return f"{snapshot_id}~{offset}"


def _parse_cursor(cursor: str) -> tuple[str, int]:
    snapshot_id, _, offset = cursor.partition("~")
    if not snapshot_id.startswith("fds_") or not offset.isdigit():
        raise InvalidInput("That cursor is not valid; start again without one.",
                           code="invalid_cursor")
    return snapshot_id, int(offset)


def _frozen(snapshot: FeedSnapshot, **extra: Any) -> _Frozen:
    entries = snapshot.entries or []
    return _Frozen(
        id=snapshot.id,
        user_id=snapshot.user_id,
        video_ids=[str(entry[0]) for entry in entries],
        reasons=bytes(_REASON_INDEX.get(str(entry[1]), _FRESH) for entry in entries),
        scores=[float(entry[2]) for entry in entries],
        shown_before=list(snapshot.shown_before or []),
        created_at=snapshot.created_at,
        **extra,
    )


# The statements of the busiest paths are built once; only their parameters change.
_ME: BindParameter[str] = bindparam("me", type_=String())
_SINCE = bindparam("since", type_=UTCDateTime())
_RELATIONS = (
    select(func.count()).where(Follow.follower_id == _ME).scalar_subquery(),
    select(func.count()).where(Block.blocker_id == _ME).scalar_subquery()
    + select(func.count()).where(Block.blocked_id == _ME).scalar_subquery(),
)
_COUNT_RELATIONS = select(*_RELATIONS)
_CHANGED = select(
    or_(
        exists().where(FeedPreference.user_id == _ME, FeedPreference.updated_at > _SINCE),
        exists().where(Follow.follower_id == _ME, Follow.created_at > _SINCE),
        exists().where(Block.blocker_id == _ME, Block.created_at > _SINCE),
        exists().where(Block.blocked_id == _ME, Block.created_at > _SINCE),
        exists().where(Like.user_id == _ME, Like.created_at > _SINCE),
        exists().where(Comment.author_id == _ME, Comment.created_at > _SINCE),
        exists().where(NotInterested.user_id == _ME, NotInterested.created_at > _SINCE),
        exists().where(SeenVideo.user_id == _ME, SeenVideo.seen_at > _SINCE),
        exists().where(
            Follow.follower_id == _ME,
            Video.author_id == Follow.followee_id,
            Video.status == PUBLISHED,
            Video.published_at > _SINCE,
        ),
    ),
    *_RELATIONS,
    # Still on record: not deleted with its owner, nor by emptying the database.
    exists().where(FeedSnapshot.id == bindparam("snapshot")),
)
_ANY_NEW_VIDEO = select(
    exists().where(Video.status == PUBLISHED, Video.published_at > _SINCE),
    exists().where(FeedSnapshot.id == bindparam("snapshot")),
)


def _relations(session: Session, viewer: User) -> tuple[int, int]:
    """How many people the viewer follows, and how many blocks involve them: a change
    in either (an unfollow, a block) makes their snapshot stale."""
    row = session.execute(_COUNT_RELATIONS, {"me": viewer.id}).one()
    return int(row[0]), int(row[1])


def _still_current(session: Session, viewer: User | None, frozen: _Frozen) -> bool:
    """True when nothing that shapes this person's ranking changed since ``frozen`` was
    ranked: no new follow, block, like, comment, instruction, not-interested or watched
    video, no new video from someone they follow (for signed-out visitors: no new video
    at all), as many follows and blocks as then, and the snapshot is still on record.
    One statement."""
    parameters = {"since": frozen.created_at, "snapshot": frozen.id}
    if viewer is None:
        newer, kept = session.execute(_ANY_NEW_VIDEO, parameters).one()
        return bool(kept) and not newer
    row = session.execute(_CHANGED, {"me": viewer.id, **parameters}).one()
    return (
        not row[0]
        and (int(row[1]), int(row[2])) == (frozen.follows, frozen.blocks)
        and bool(row[3])
    )


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


def _first_page_snapshot(session: Session, viewer: User | None) -> _Frozen:
    """The ranking page 1 shows: the person's recent one while still current (see
    ``REUSE_SECONDS``), otherwise a freshly ranked one."""
    database = _database(session)
    user_id = viewer.id if viewer else None
    recent = SNAPSHOTS.latest(database, user_id)
    if (
        recent is not None
        and time.monotonic() - recent.made < REUSE_SECONDS
        and _still_current(session, viewer, recent)
    ):
        return recent
    # Counted before ranking, so a change made meanwhile makes the next check fail.
    follows, blocks = _relations(session, viewer) if viewer else (0, 0)
    snapshot = _new_snapshot(session, viewer, [])
    caught_up = False
    if not snapshot.entries and viewer is not None:
        # Everything was watched already: show it again rather than nothing.
        snapshot = _new_snapshot(session, viewer, [], skip_seen=False)
        caught_up = bool(snapshot.entries)
    frozen = _frozen(snapshot, caught_up=caught_up, follows=follows, blocks=blocks)
    SNAPSHOTS.put(frozen)
    SNAPSHOTS.set_latest(database, frozen)
    return frozen


def _snapshot_for_cursor(session: Session, viewer: User | None, snapshot_id: str) -> _Frozen:
    frozen = SNAPSHOTS.get(snapshot_id)
    if frozen is None:
        row = session.get(FeedSnapshot, snapshot_id)
        if row is not None:
            frozen = _frozen(row)
            SNAPSHOTS.put(frozen)
    if frozen is None or frozen.user_id != (viewer.id if viewer else None):
        raise InvalidInput(
            "That feed position has expired; start again from the top.",
            code="invalid_cursor",
        )
    return frozen


def _page_from(
    session: Session, viewer: User | None, snapshot: _Frozen, offset: int, limit: int
) -> tuple[list[FeedEntry], int]:
    """The still-showable videos of ``snapshot`` from ``offset``, and where the next
    page starts. Videos deleted, unpublished, blocked, marked not-interested or by a
    suspended author since the snapshot was taken are skipped."""
    ids = snapshot.video_ids[offset : offset + limit]
    rows = {row.id: row for row in page_rows(session, viewer, ids)}
    entries = []
    for index, video_id in enumerate(ids, start=offset):
        row = rows.get(video_id)
        if row is None or row.status != PUBLISHED or row.is_suspended or row.hidden \
                or row.dropped:
            continue
        entries.append(FeedEntry(
            video=row, reason=REASONS[snapshot.reasons[index]], score=snapshot.scores[index]
        ))
    return entries, offset + len(ids)


def read_feed(
    session: Session, viewer: User | None, *, cursor: str | None = None, limit: int | None = None
) -> FeedPage:
    """A page of the person's feed (signed-out visitors get the shared one).

    Opening the feed again within ``REUSE_SECONDS`` shows the same ranking when nothing
    that shapes it changed (no follow, block, like, comment, instruction,
    not-interested or watched video, and no new video from people they follow); new
    videos from anyone else join at the next ranking."""
    size = DEFAULT_PAGE if limit is None else limit
    if not 1 <= size <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", code="invalid_limit")
    if cursor:
        snapshot_id, offset = _parse_cursor(cursor)
        snapshot = _snapshot_for_cursor(session, viewer, snapshot_id)
        if offset >= len(snapshot):
            if not len(snapshot):
                return FeedPage(entries=[], next_cursor=None)
            shown = list(snapshot.shown_before) + list(snapshot.video_ids)
            snapshot = _frozen(_new_snapshot(session, viewer, shown))
            SNAPSHOTS.put(snapshot)
            offset = 0
        caught_up = False
    else:
        snapshot = _first_page_snapshot(session, viewer)
        offset, caught_up = 0, snapshot.caught_up
    entries, next_offset = _page_from(session, viewer, snapshot, offset, size)
    next_cursor = _cursor(snapshot.id, next_offset) if len(snapshot) else None
    return FeedPage(entries=entries, next_cursor=next_cursor, caught_up=caught_up)


# ---------------------------------------------------------------------------- rows


class VideoRow(NamedTuple):
    """What a feed page shows of a video, read in one query. ``plan``, ``transcript``
    and ``credits`` stay JSON text: the page copies them into the answer unparsed."""

    id: str
    author_id: str
    status: str
    prompt: str
    caption: str | None
    seconds: float
    width: int
    height: int
    fps: int
    remix_of: str | None
    plan: str | None
    transcript: str | None
    credits: str | None
    like_count: int
    comment_count: int
    remix_count: int
    created_at: datetime
    published_at: datetime | None
    handle: str
    display_name: str | None
    is_suspended: bool
    has_cast: bool
    liked: bool
    dropped: bool
    hidden: bool


_ROW_COLUMNS = (
    Video.id, Video.author_id, Video.status, Video.prompt, Video.caption, Video.seconds,
    Video.width, Video.height, Video.fps, Video.remix_of, cast(Video.plan, Text),
    cast(Video.transcript, Text), cast(Video.credits, Text), Video.like_count,
    Video.comment_count, Video.remix_count, Video.created_at, Video.published_at,
    User.handle, User.display_name, User.is_suspended,
    # Most videos show no character: only those that do cost a look-up for their cast.
    exists().where(CharacterAppearance.video_id == Video.id),
)


_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)
_PAGE_ROWS = (
    select(*_ROW_COLUMNS, false(), false(), false())
    .join(User, User.id == Video.author_id)
    .where(Video.id.in_(_IDS))
)
_PAGE_ROWS_FOR_VIEWER = (
    select(
        *_ROW_COLUMNS,
        exists().where(Like.user_id == _ME, Like.video_id == Video.id),
        exists().where(NotInterested.user_id == _ME, NotInterested.video_id == Video.id),
        exists().where(or_(
            and_(Block.blocker_id == _ME, Block.blocked_id == Video.author_id),
            and_(Block.blocker_id == Video.author_id, Block.blocked_id == _ME),
        )),
    )
    .join(User, User.id == Video.author_id)
    .where(Video.id.in_(_IDS))
)


def page_rows(session: Session, viewer: User | None, video_ids: list[str]) -> list[VideoRow]:
    """The videos of a page with their authors and, for the viewer, whether they liked
    each, marked it not-interested, or are hidden from its author by a block."""
    if not video_ids:
        return []
    # The status is checked by the caller rather than in SQL, so SQLite looks the ids
    # up directly instead of walking the published-videos index.
    if viewer is None:
        rows = session.execute(_PAGE_ROWS, {"ids": video_ids})
    else:
        rows = session.execute(_PAGE_ROWS_FOR_VIEWER, {"ids": video_ids, "me": viewer.id})
    return [VideoRow._make(row) for row in rows]
