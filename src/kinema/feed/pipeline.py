"""The feed as a pipeline of small stages: sources -> hydrate -> filter -> score ->
select. Each stage does one job, so a new signal is one new stage.

Sources propose videos with a strength in [0, 1] per source (people you follow, people
you interact with, characters, trending, remix-inspiring, fresh, exploration). Hydrate
loads what the later stages read, in one query. Filters drop what must never be shown
(blocks, not-interested, already seen, drafts and removed videos, unsuitable for teens,
topics the person said no to). Score is a weighted sum of named features, kept with
each video so the feed can say why it showed it. Select orders by score with author
diversity: never more than two in a row from one author.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import math
import random
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
from sqlalchemy import (
    Integer,
    String,
    any_,
    bindparam,
    case,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kinema.accounts.models import User
from kinema.characters.models import Character
from kinema.db import utcnow
from kinema.feed.instruction import FeedInstruction
from kinema.feed.models import NotInterested, SeenVideo
from kinema.feed.topics import EXCLUDE_SIMILARITY, boost_strength, topic_similarity, video_words
from kinema.social.models import Comment, Follow, Like
from kinema.studio.models import PUBLISHED, Video

# How much each feature adds to a video's score. Following and interacting come first
# by default; an explicit wish ("more cooking") outweighs them.
# The signals that are not about the person add up to at most 4.3, so by default people
# you follow and interact with come first.
WEIGHTS: dict[str, float] = {
    "following": 5.0,
    "interacted": 4.5,
    "character": 4.5,
    "topic": 6.0,
    "fewer": -4.0,
    "trending": 1.5,
    "remix_inspiring": 1.0,
    "fresh": 1.0,
    "popular": 0.5,
    "exploration": 0.3,
}
# Words that make a video unsuitable for teenagers' feeds (prompt or caption).
TEEN_UNSUITABLE_WORDS = frozenset(
    re.findall(
        r"[a-z]+",
        """horror scary creepy zombie zombies blood bloody gore gory gun guns rifle weapon
    weapons knife knives sword fight fighting fights war battle explosion explosions
    bomb kill killing killer dead death corpse beer wine vodka whiskey alcohol drunk
    cocktail cigarette cigarettes smoking vape casino gambling poker kiss kissing
    romance romantic sexy lingerie""",
    )
)
log = logging.getLogger(__name__)

MAX_IN_A_ROW = 2  # from one author
SOURCE_WINDOW = timedelta(days=45)
FRESH_HALF_LIFE_HOURS = 36.0
GLOBAL_SIGNAL_SECONDS = 30.0  # trending and remix-inspiring are shared, refreshed this often
PER_SOURCE = 150
PERSONAL_CACHE_SECONDS = 60.0
PERSONAL_CACHE_SIZE = 20_000


@dataclass
class Candidate:
    """A video on its way through the pipeline."""

    video_id: str
    sources: dict[str, float] = field(default_factory=dict)
    author_id: str = ""
    text: str = ""
    published_at: datetime | None = None
    like_count: int = 0
    comment_count: int = 0
    remix_count: int = 0
    score: float = 0.0
    reason: str = ""


@dataclass
class FeedContext:
    """What every stage may read about the person and the moment."""

    session: Session
    viewer: User | None
    now: datetime
    instruction: FeedInstruction
    followed: set[str] = field(default_factory=set)
    hidden: set[str] = field(default_factory=set)
    shown_before: set[str] = field(default_factory=set)
    skip_seen: bool = True
    rng: random.Random = field(default_factory=random.Random)
    # The viewer's not-interested and seen marks among ``marks_for``, read once per
    # ranking by whichever filter asks first.
    marks: dict[str, set[str]] = field(default_factory=dict)
    marks_for: set[str] = field(default_factory=set)

    @property
    def viewer_id(self) -> str | None:
        return self.viewer.id if self.viewer else None


class Source(Protocol):
    name: str

    def propose(self, ctx: FeedContext) -> dict[str, float]:
        """Video ids with this source's strength for each, in [0, 1]."""
        ...


def _by_recency(rows: Sequence[tuple[str, datetime | None]], now: datetime) -> dict[str, float]:
    out: dict[str, float] = {}
    for video_id, published in rows:
        age_hours = max((now - published).total_seconds() / 3600, 0.0) if published else 1e6
        out[video_id] = math.exp(-age_hours / (24 * 14))
    return out


MAX_AUTHORS = 60  # per personal source


@lru_cache(maxsize=MAX_AUTHORS)
def _recent_videos_query(authors: int) -> Any:
    """``authors`` short index walks, one per author, sent as one statement: each
    author's newest published videos since ``since``, at most ``each`` of them."""
    walks = [
        select(Video.id, Video.published_at)
        .where(
            Video.author_id == bindparam(f"author{n}"),
            Video.status == PUBLISHED,
            Video.published_at > bindparam("since", type_=Video.published_at.type),
        )
        .order_by(Video.published_at.desc())
        .limit(bindparam("each", type_=Integer()))
        .subquery()
        for n in range(authors)
    ]
    return union_all(*(select(walk.c.id, walk.c.published_at) for walk in walks))


def _recent_videos_by(ctx: FeedContext, author_ids: set[str], limit: int) -> dict[str, float]:
    """Each author's newest published videos (an even share of ``limit`` each). One
    short index walk per author, so a prolific author costs no more than a quiet one."""
    if not author_ids:
        return {}
    authors = sorted(author_ids)[:MAX_AUTHORS]
    each = max(3, limit // len(authors))
    parameters: dict[str, Any] = {f"author{n}": author for n, author in enumerate(authors)}
    parameters.update(since=ctx.now - SOURCE_WINDOW, each=each)
    rows = [(r[0], r[1]) for r in ctx.session.execute(
        _recent_videos_query(len(authors)), parameters
    )]
    rows.sort(key=lambda row: row[1] or ctx.now, reverse=True)
    return _by_recency(rows[:limit], ctx.now)


class FollowingSource:
    """Recent videos of the people you follow."""

    name = "following"

    def propose(self, ctx: FeedContext) -> dict[str, float]:
        return _recent_videos_by(ctx, ctx.followed, PER_SOURCE)


class InteractedSource:
    """Recent videos of people whose videos you liked or commented on lately."""

    name = "interacted"

    def propose(self, ctx: FeedContext) -> dict[str, float]:
        if ctx.viewer is None:
            return {}
        since = ctx.now - SOURCE_WINDOW
        liked = (
            select(Video.author_id)
            .join(Like, Like.video_id == Video.id)
            .where(Like.user_id == ctx.viewer.id, Like.created_at > since)
            .order_by(Like.created_at.desc())
            .limit(200)
        )
        commented = (
            select(Video.author_id)
            .join(Comment, Comment.video_id == Video.id)
            .where(Comment.author_id == ctx.viewer.id, Comment.created_at > since)
            .order_by(Comment.created_at.desc())
            .limit(100)
        )
        authors = set(ctx.session.scalars(liked)) | set(ctx.session.scalars(commented))
        authors -= ctx.followed | {ctx.viewer.id}
        return _recent_videos_by(ctx, authors, PER_SOURCE)


_OWNS_A_CHARACTER = select(exists().where(Character.owner_id == bindparam("owner")))


class CharacterSource:
    """Videos with characters you appear as or follow. The characters domain answers
    through ``kinema.characters.service.feed_video_ids(session, user_id, limit)``; until
    that exists this source proposes nothing."""

    name = "character"

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], tuple[float, dict[str, float]]] = {}
        self._lock = threading.Lock()

    def propose(self, ctx: FeedContext) -> dict[str, float]:
        if ctx.viewer is None or importlib.util.find_spec("kinema.characters") is None:
            return {}
        try:
            characters = importlib.import_module("kinema.characters.service")
        except ImportError:
            return {}
        finder: Callable[..., Sequence[str]] | None = getattr(characters, "feed_video_ids", None)
        if finder is None:
            return {}
        # Appearances change rarely; a person's list is reused for a short while.
        key = (str(ctx.session.get_bind().engine.url), ctx.viewer.id)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < PERSONAL_CACHE_SECONDS:
            return cached[1]
        # The finder looks for videos showing characters the person owns, walking the
        # published videos newest first; most people own none, and one index look-up
        # spares them that walk.
        owns_any = ctx.session.scalar(_OWNS_A_CHARACTER, {"owner": ctx.viewer.id})
        found = {
            video_id: 1.0 for video_id in finder(ctx.session, ctx.viewer.id, PER_SOURCE)
        } if owns_any else {}
        with self._lock:
            if len(self._cache) >= PERSONAL_CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = (time.monotonic(), found)
        return found


class _SharedSignal(ABC):
    """A ranking shared by every viewer (trending, remix-inspiring), recomputed at most
    every ``GLOBAL_SIGNAL_SECONDS`` per database. Once there is one, an outdated ranking
    is still served while a background thread recomputes it: the recount reads every
    recent like, so no viewer's request should wait for it."""

    name = ""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, dict[str, float]]] = {}
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()

    def propose(self, ctx: FeedContext) -> dict[str, float]:
        engine = ctx.session.get_bind().engine
        key = str(engine.url)
        with self._lock:
            cached = self._cache.get(key)
            stale = cached is not None and (
                time.monotonic() - cached[0] >= GLOBAL_SIGNAL_SECONDS
            )
            if stale and key not in self._refreshing:
                self._refreshing.add(key)
                threading.Thread(
                    target=self._refresh, args=(key, engine), name=f"feed-{self.name}",
                    daemon=True,
                ).start()
        if cached is not None:
            return cached[1]
        ranking = self.compute(ctx)
        with self._lock:
            self._cache[key] = (time.monotonic(), ranking)
        return ranking

    def _refresh(self, key: str, engine: Engine) -> None:
        try:
            with Session(engine) as session:
                ranking = self.compute(FeedContext(
                    session=session, viewer=None, now=utcnow(), instruction=FeedInstruction()
                ))
            with self._lock:
                self._cache[key] = (time.monotonic(), ranking)
        except Exception:  # the outdated ranking stays; the next request tries again
            log.warning("Recomputing the %s feed signal failed", self.name, exc_info=True)
        finally:
            with self._lock:
                self._refreshing.discard(key)

    @abstractmethod
    def compute(self, ctx: FeedContext) -> dict[str, float]:
        """The ranking from the database, strengths in [0, 1]."""

    def forget(self) -> None:
        """Drop cached rankings (after bulk changes such as seeding)."""
        with self._lock:
            self._cache.clear()


def _normalized(scores: dict[str, float], keep: int) -> dict[str, float]:
    top = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:keep]
    if not top or top[0][1] <= 0:
        return {}
    best = top[0][1]
    return {video_id: score / best for video_id, score in top if score > 0}


class TrendingSource(_SharedSignal):
    """Weighted velocity: likes (1), comments (2) and published remixes (3) over the last
    three days, each counted four times in its first six hours, twice up to a day and
    once after (a step-wise time decay every database can compute)."""

    name = "trending"

    def compute(self, ctx: FeedContext) -> dict[str, float]:
        now = ctx.now
        t6, t24, t72 = (now - timedelta(hours=h) for h in (6, 24, 72))
        scores: dict[str, float] = {}

        def decayed(column: Any) -> Any:
            return func.sum(case((column > t6, 4.0), (column > t24, 2.0), else_=1.0))

        for weight, query in (
            (1.0, select(Like.video_id, decayed(Like.created_at))
             .where(Like.created_at > t72).group_by(Like.video_id)),
            (2.0, select(Comment.video_id, decayed(Comment.created_at))
             .where(Comment.created_at > t72).group_by(Comment.video_id)),
            (3.0, select(Video.remix_of, decayed(Video.published_at))
             .where(Video.remix_of.is_not(None), Video.status == PUBLISHED,
                    Video.published_at > t72)
             .group_by(Video.remix_of)),
        ):
            for video_id, amount in ctx.session.execute(query):
                if video_id is not None:
                    scores[video_id] = scores.get(video_id, 0.0) + weight * float(amount or 0)
        return _normalized(scores, PER_SOURCE)


class RemixInspiringSource(_SharedSignal):
    """Videos that make people create: the most remixes published lately."""

    name = "remix_inspiring"

    def compute(self, ctx: FeedContext) -> dict[str, float]:
        rows = ctx.session.execute(
            select(Video.remix_of, func.count())
            .where(
                Video.remix_of.is_not(None),
                Video.status == PUBLISHED,
                Video.published_at > ctx.now - SOURCE_WINDOW,
            )
            .group_by(Video.remix_of)
        ).all()
        return _normalized({video_id: float(n) for video_id, n in rows if video_id},
                           PER_SOURCE // 2)


class FreshSource:
    """The newest published videos, so new makers get seen."""

    name = "fresh"

    def propose(self, ctx: FeedContext) -> dict[str, float]:
        rows = ctx.session.execute(
            select(Video.id, Video.published_at)
            .where(Video.status == PUBLISHED)
            .order_by(Video.published_at.desc())
            .limit(PER_SOURCE // 2)
        ).all()
        return _by_recency([(r[0], r[1]) for r in rows], ctx.now)


class ExplorationSource:
    """A random stretch of the last weeks, so the feed is not only the loudest videos."""

    name = "exploration"

    def propose(self, ctx: FeedContext) -> dict[str, float]:
        back = SOURCE_WINDOW * ctx.rng.random()
        rows = ctx.session.scalars(
            select(Video.id)
            .where(Video.status == PUBLISHED, Video.published_at <= ctx.now - back)
            .order_by(Video.published_at.desc())
            .limit(40)
        ).all()
        return {video_id: 1.0 for video_id in rows}


TRENDING = TrendingSource()
REMIX_INSPIRING = RemixInspiringSource()
SOURCES: tuple[Source, ...] = (
    FollowingSource(),
    InteractedSource(),
    CharacterSource(),
    TRENDING,
    REMIX_INSPIRING,
    FreshSource(),
    ExplorationSource(),
)


def forget_shared_signals() -> None:
    """Recompute trending and remix-inspiring on next use."""
    TRENDING.forget()
    REMIX_INSPIRING.forget()


# ------------------------------------------------------------------------------ stages


def gather(ctx: FeedContext, sources: Sequence[Source] = SOURCES) -> dict[str, Candidate]:
    """Sources: every proposed video once, with each source's strength."""
    candidates: dict[str, Candidate] = {}
    for source in sources:
        for video_id, strength in source.propose(ctx).items():
            candidate = candidates.get(video_id)
            if candidate is None:
                candidate = candidates[video_id] = Candidate(video_id)
            candidate.sources[source.name] = strength
    return candidates


def _one_of_ids(column: Any, for_postgres: bool) -> Any:
    """``column`` is one of the ``ids`` parameter: one array on PostgreSQL (a list of
    hundreds of values would be rendered, sent and planned anew each time), a list of
    values elsewhere."""
    if for_postgres:
        return column == any_(bindparam("ids", type_=postgresql.ARRAY(String())))
    return column.in_(bindparam("ids", expanding=True))


def _for_dialects(build: Callable[[bool], Any]) -> dict[bool, Any]:
    return {for_postgres: build(for_postgres) for for_postgres in (False, True)}


def _on(session: Session, statements: dict[bool, Any]) -> Any:
    return statements[session.get_bind().dialect.name == "postgresql"]


_HYDRATE = _for_dialects(lambda for_postgres: (
    select(
        Video.id,
        Video.author_id,
        Video.status,
        Video.prompt,
        Video.caption,
        Video.published_at,
        Video.like_count,
        Video.comment_count,
        Video.remix_count,
    )
    .join(User, User.id == Video.author_id)
    .where(_one_of_ids(Video.id, for_postgres), User.is_suspended.is_(False))
))


def hydrate(ctx: FeedContext, candidates: dict[str, Candidate]) -> list[Candidate]:
    """Load what scoring reads, keeping only published videos of active accounts."""
    if not candidates:
        return []
    rows = ctx.session.execute(_on(ctx.session, _HYDRATE), {"ids": list(candidates)}).all()
    kept = []
    for video_id, author_id, status, prompt, caption, published, likes, comments, remixes in rows:
        if status != PUBLISHED:  # checked here: see _recent_videos_by
            continue
        candidate = candidates[video_id]
        candidate.author_id = author_id
        candidate.text = f"{prompt} {caption or ''}"
        candidate.published_at = published
        candidate.like_count, candidate.comment_count = likes, comments
        candidate.remix_count = remixes
        kept.append(candidate)
    return kept


Filter = Callable[[FeedContext, list[Candidate]], list[Candidate]]


def not_own(ctx: FeedContext, items: list[Candidate]) -> list[Candidate]:
    """Your own videos are on your profile, not in your feed."""
    own = ctx.viewer_id
    return [c for c in items if c.author_id != own]


def not_blocked(ctx: FeedContext, items: list[Candidate]) -> list[Candidate]:
    """Nobody you blocked or who blocked you."""
    return [c for c in items if c.author_id not in ctx.hidden] if ctx.hidden else items


_MARKS = _for_dialects(lambda for_postgres: union_all(
    select(NotInterested.video_id, literal(NotInterested.__tablename__)).where(
        NotInterested.user_id == bindparam("me"),
        _one_of_ids(NotInterested.video_id, for_postgres),
    ),
    select(SeenVideo.video_id, literal(SeenVideo.__tablename__)).where(
        SeenVideo.user_id == bindparam("me"), _one_of_ids(SeenVideo.video_id, for_postgres)
    ),
))


def _marked(ctx: FeedContext, model: Any, items: list[Candidate]) -> set[str]:
    """Which of ``items`` the viewer marked in ``model`` (not-interested or seen)."""
    if ctx.viewer is None or not items:
        return set()
    wanted = {c.video_id for c in items}
    if not wanted <= ctx.marks_for:
        ctx.marks = {NotInterested.__tablename__: set(), SeenVideo.__tablename__: set()}
        for video_id, table in ctx.session.execute(
            _on(ctx.session, _MARKS), {"me": ctx.viewer.id, "ids": sorted(wanted)}
        ):
            ctx.marks[table].add(video_id)
        ctx.marks_for = wanted
    return ctx.marks[model.__tablename__] & wanted


def not_uninterested(ctx: FeedContext, items: list[Candidate]) -> list[Candidate]:
    """Nothing you said you are not interested in."""
    gone = _marked(ctx, NotInterested, items)
    return [c for c in items if c.video_id not in gone]


def not_seen(ctx: FeedContext, items: list[Candidate]) -> list[Candidate]:
    """Nothing you already watched, nor what this scroll already showed."""
    gone = set(ctx.shown_before)
    if ctx.skip_seen:
        gone |= _marked(ctx, SeenVideo, items)
    return [c for c in items if c.video_id not in gone]


_WORDS = re.compile(r"[a-z]+")


def suitable_for_teens(ctx: FeedContext, items: list[Candidate]) -> list[Candidate]:
    """Teenagers see only videos whose prompt and caption use none of
    ``TEEN_UNSUITABLE_WORDS`` (horror, weapons, alcohol, romance...)."""
    if ctx.viewer is None or not ctx.viewer.is_teen:
        return items
    return [
        c for c in items if TEEN_UNSUITABLE_WORDS.isdisjoint(_WORDS.findall(c.text.lower()))
    ]


def not_excluded_topics(ctx: FeedContext, items: list[Candidate]) -> list[Candidate]:
    """An explicit "no X" removes every video about X."""
    topics = ctx.instruction.exclusions
    if not topics or not items:
        return items
    similarity = topic_similarity(topics, [video_words(c.text) for c in items])
    keep = similarity.max(axis=1) < EXCLUDE_SIMILARITY
    return [c for c, kept in zip(items, keep, strict=True) if kept]


FILTERS: tuple[Filter, ...] = (
    not_own,
    not_blocked,
    not_uninterested,
    not_seen,
    suitable_for_teens,
    not_excluded_topics,
)


def score(ctx: FeedContext, items: list[Candidate]) -> list[Candidate]:
    """A transparent weighted sum of named features; ``reason`` names the largest."""
    instruction = ctx.instruction
    texts = (
        [video_words(c.text) for c in items]
        if instruction.boosts or instruction.reductions
        else []
    )
    wanted = (
        boost_strength(topic_similarity(instruction.boosts, texts)).max(axis=1)
        if instruction.boosts and items
        else np.zeros(len(items))
    )
    unwanted = (
        boost_strength(topic_similarity(instruction.reductions, texts)).max(axis=1)
        if instruction.reductions and items
        else np.zeros(len(items))
    )
    w = WEIGHTS
    now = ctx.now.timestamp()
    followed = ctx.followed
    for index, c in enumerate(items):
        age_hours = max(now - c.published_at.timestamp(), 0.0) / 3600 if c.published_at else 1e6
        sources = c.sources
        contributions = (
            ("following", w["following"] * (c.author_id in followed)),
            ("interacted", w["interacted"] * ("interacted" in sources)),
            ("character", w["character"] * sources.get("character", 0.0)),
            ("topic", w["topic"] * float(wanted[index])),
            ("fewer", w["fewer"] * float(unwanted[index])),
            ("trending", w["trending"] * sources.get("trending", 0.0)),
            ("remix_inspiring", w["remix_inspiring"] * sources.get("remix_inspiring", 0.0)),
            ("fresh", w["fresh"] * 0.5 ** (age_hours / FRESH_HALF_LIFE_HOURS)),
            ("popular", w["popular"]
             * min(math.log1p(c.like_count + 2 * c.comment_count) / 8.0, 1.0)),
            ("exploration", w["exploration"] * sources.get("exploration", 0.0)),
        )
        total = 0.0
        best_name, best_value = "fresh", -1.0
        for name, value in contributions:
            total += value
            if value > best_value:
                best_name, best_value = name, value
        c.score = round(total, 4)
        c.reason = best_name
    return items


def select_with_diversity(items: list[Candidate], max_in_a_row: int = MAX_IN_A_ROW) -> list[
    Candidate
]:
    """Highest score first, but never more than ``max_in_a_row`` from one author in a
    row while another author's video is waiting (ties broken newest first)."""
    ranked = sorted(
        items,
        key=lambda c: (
            -c.score,
            -(c.published_at.timestamp() if c.published_at else 0.0),
            c.video_id,
        ),
    )
    chosen: list[Candidate] = []
    waiting = ranked
    while waiting:
        recent = [c.author_id for c in chosen[-max_in_a_row:]]
        streak = len(recent) == max_in_a_row and len(set(recent)) == 1
        pick = 0
        if streak:
            pick = next(
                (i for i, c in enumerate(waiting) if c.author_id != recent[0]), 0
            )
        chosen.append(waiting.pop(pick))
    return chosen


def rank(ctx: FeedContext, *, sources: Sequence[Source] = SOURCES,
         filters: Sequence[Filter] = FILTERS) -> list[Candidate]:
    """Run the whole pipeline: the ranked videos for this person now."""
    items = hydrate(ctx, gather(ctx, sources))
    for keep in filters:
        items = keep(ctx, items)
    return select_with_diversity(score(ctx, items))


def followed_by(session: Session, user_id: str) -> set[str]:
    """Ids of the people ``user_id`` follows."""
    return set(session.scalars(select(Follow.followee_id).where(Follow.follower_id == user_id)))
