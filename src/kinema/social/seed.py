"""Demo follows, likes and comments for ``kinema admin seed``, in proportion to the
users and videos seeded: each person follows a handful of people (mostly the busy
makers), videos collect likes and comments mostly soon after they are published, and
the counters on the videos match the rows."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from kinema.db import utcnow
from kinema.ids import new_id
from kinema.social.models import VISIBLE, Comment, Follow, Like
from kinema.studio.models import Video
from kinema.studio.seed import BATCH_SIZE, SeedContext, register_seed_step

FOLLOWS_PER_USER = 12
LIKES_PER_VIDEO = 3.0
COMMENTS_PER_VIDEO = 0.4

_COMMENTS = (
    "this is so good",
    "how did you make this?",
    "the sound design!!",
    "remixing this right now",
    "love the colours",
    "again again",
    "ok this made my day",
    "what prompt did you use?",
    "the ending 😂",
    "needs a part two",
    "so calming",
    "underrated",
)


def _insert(connection: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH_SIZE):
        connection.execute(insert(model), rows[start : start + BATCH_SIZE])


def _popularity(context: SeedContext) -> tuple[list[str], list[float]]:
    """Authors ranked by how many videos they made, with a weight for each."""
    made: dict[str, int] = {}
    for author in context.video_authors:
        made[author] = made.get(author, 0) + 1
    authors = sorted(made, key=lambda a: made[a], reverse=True)
    return authors, [float(made[a]) ** 0.7 for a in authors]


def seed_follows(context: SeedContext) -> int:
    """Each seeded person follows up to ``FOLLOWS_PER_USER`` makers, busy ones more
    often."""
    rng: random.Random = context.rng
    users = context.user_ids
    authors, weights = _popularity(context)
    if len(users) < 2 or not authors:
        return 0
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for user_id in users:
        wanted = min(int(rng.expovariate(1 / FOLLOWS_PER_USER)) + 1, len(authors) - 1, 200)
        picked = set(rng.choices(authors, weights=weights, k=wanted))
        picked.discard(user_id)
        for followee in picked:
            rows.append({"follower_id": user_id, "followee_id": followee,
                         "created_at": now - timedelta(days=rng.uniform(0, 60))})
    _insert(context.connection, Follow, rows)
    return len(rows)


def _published_times(context: SeedContext) -> dict[str, datetime]:
    times: dict[str, datetime] = {}
    ids = context.video_ids
    for start in range(0, len(ids), 900):
        for video_id, published in context.connection.execute(
            select(Video.id, Video.published_at).where(Video.id.in_(ids[start : start + 900]))
        ):
            times[video_id] = published or utcnow()
    return times


def _moments(rng: random.Random, published: datetime, now: datetime) -> datetime:
    # Most reactions come soon after a video is published.
    span = max((now - published).total_seconds(), 1.0)
    return published + timedelta(seconds=span * rng.random() ** 3)


def seed_likes(context: SeedContext) -> int:
    """About ``LIKES_PER_VIDEO`` likes per video, more for some, from random people."""
    rng = context.rng
    videos, users = context.video_ids, context.user_ids
    if not videos or not users:
        return 0
    now = utcnow()
    published = _published_times(context)
    appeal = [rng.paretovariate(1.5) for _ in videos]
    wanted = int(len(videos) * LIKES_PER_VIDEO)
    pairs: set[tuple[str, str]] = set()
    for video_id, user_id in zip(
        rng.choices(videos, weights=appeal, k=wanted), rng.choices(users, k=wanted), strict=True
    ):
        pairs.add((user_id, video_id))
    rows = [
        {"user_id": user_id, "video_id": video_id,
         "created_at": _moments(rng, published[video_id], now)}
        for user_id, video_id in pairs
    ]
    _insert(context.connection, Like, rows)
    _recount(context.connection, "like_count", Like)
    return len(rows)


def seed_comments(context: SeedContext) -> int:
    """About ``COMMENTS_PER_VIDEO`` comments per video."""
    rng = context.rng
    videos, users = context.video_ids, context.user_ids
    if not videos or not users:
        return 0
    now = utcnow()
    published = _published_times(context)
    rows = []
    for video_id in rng.choices(videos, k=int(len(videos) * COMMENTS_PER_VIDEO)):
        created = _moments(rng, published[video_id], now)
        rows.append({"id": new_id("cmt", at=created), "video_id": video_id,
                     "author_id": rng.choice(users), "text": rng.choice(_COMMENTS),
                     "status": VISIBLE, "created_at": created})
    _insert(context.connection, Comment, rows)
    _recount(context.connection, "comment_count", Comment)
    return len(rows)


def _recount(connection: Connection, column: str, model: Any) -> None:
    """Set a counter on every video from the rows, so the counters stay the truth."""
    counted = (
        select(func.count())
        .select_from(model)
        .where(model.video_id == Video.id)
        .scalar_subquery()
    )
    if model is Comment:
        counted = (
            select(func.count())
            .select_from(Comment)
            .where(Comment.video_id == Video.id, Comment.status == VISIBLE)
            .scalar_subquery()
        )
    connection.execute(update(Video).values({column: counted}))


register_seed_step("follows", seed_follows)
register_seed_step("likes", seed_likes)
register_seed_step("comments", seed_comments)
