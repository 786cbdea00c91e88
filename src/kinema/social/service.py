"""Social operations, one function per thing a person does: follow, block, like,
comment, remix, read notifications.

A block hides the two people from each other everywhere: ``hidden_user_ids`` is the
set every list in this package and the feed filters by, and ``visible_video`` /
``visible_user`` answer "not found" across a block, exactly as for something that does
not exist.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, case, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from kinema.accounts import service as accounts
from kinema.accounts.models import User
from kinema.db import utcnow
from kinema.errors import InvalidInput, NotFound
from kinema.ids import new_id
from kinema.safety import service as safety
from kinema.social.models import (
    CHARACTER_USED,
    COMMENT,
    EMAIL_SHARED,
    FOLLOW,
    LIKE,
    REMIX,
    VISIBLE,
    Block,
    Comment,
    Follow,
    Like,
    Notification,
)
from kinema.studio import service as studio
from kinema.studio.models import PUBLISHED, Generation, Video

if TYPE_CHECKING:
    from kinema.runtime import Runtime

MAX_COMMENT_CHARS = 500
DEFAULT_PAGE = 20
MAX_PAGE = 100
MAX_LINEAGE_DEPTH = 100


# ---------------------------------------------------------------------------- cursors


def encode_cursor(when: datetime, row_id: str) -> str:
    """An opaque cursor for lists ordered by (time, id), newest first."""
    raw = f"{when.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (time, id) a cursor stands for; ``InvalidInput`` for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        when_text, _, row_id = base64.urlsafe_b64decode(padded).decode().partition("|")
        when = datetime.fromisoformat(when_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "That cursor is not valid; start again without one.", code="invalid_cursor"
        ) from None
    if not row_id:
        raise InvalidInput(
            "That cursor is not valid; start again without one.", code="invalid_cursor"
        )
    return when, row_id


def page_size(limit: int | None, default: int = DEFAULT_PAGE) -> int:
    """A page size within 1..MAX_PAGE; a clear error outside it."""
    if limit is None:
        return default
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", code="invalid_limit")
    return limit


# ---------------------------------------------------------------------------- blocks


def hidden_user_ids(session: Session, user_id: str | None) -> set[str]:
    """Everyone ``user_id`` blocked or was blocked by: hidden from each other."""
    if user_id is None:
        return set()
    rows = session.execute(
        select(Block.blocker_id, Block.blocked_id).where(
            or_(Block.blocker_id == user_id, Block.blocked_id == user_id)
        )
    )
    return {blocked if blocker == user_id else blocker for blocker, blocked in rows}


def is_hidden_between(session: Session, first_id: str | None, second_id: str) -> bool:
    """True when either of the two people blocked the other."""
    if first_id is None or first_id == second_id:
        return False
    found = session.scalar(
        select(
            exists().where(
                or_(
                    and_(Block.blocker_id == first_id, Block.blocked_id == second_id),
                    and_(Block.blocker_id == second_id, Block.blocked_id == first_id),
                )
            )
        )
    )
    return bool(found)


def visible_user(session: Session, viewer: User | None, handle: str) -> User:
    """The person behind ``handle`` if ``viewer`` may see them (not suspended, no block
    either way); otherwise ``NotFound``."""
    person = accounts.get_user_by_handle(session, handle)
    if person.is_suspended or is_hidden_between(session, viewer.id if viewer else None, person.id):
        raise NotFound(f"No user @{accounts.normalize_handle(handle)}.", code="user_not_found")
    return person


def visible_video(session: Session, viewer: User | None, video_id: str) -> Video:
    """The video if ``viewer`` may see it (the studio's rules, and no block between
    viewer and author); otherwise ``NotFound``."""
    video = studio.get_video_for_viewer(session, video_id, viewer)
    if is_hidden_between(session, viewer.id if viewer else None, video.author_id):
        raise NotFound("That video was not found.")
    return video


def _published_video(session: Session, viewer: User | None, video_id: str) -> Video:
    video = visible_video(session, viewer, video_id)
    if video.status != PUBLISHED:
        raise NotFound("That video was not found.")
    return video


def block_user(session: Session, user: User, handle: str) -> User:
    """Block someone: follows end both ways and each is hidden from the other."""
    person = accounts.get_user_by_handle(session, handle)
    if person.id == user.id:
        raise InvalidInput("You cannot block yourself.", code="cannot_block_self")
    if session.get(Block, (user.id, person.id)) is None:
        session.add(Block(blocker_id=user.id, blocked_id=person.id))
    session.execute(
        delete(Follow).where(
            or_(
                and_(Follow.follower_id == user.id, Follow.followee_id == person.id),
                and_(Follow.follower_id == person.id, Follow.followee_id == user.id),
            )
        )
    )
    session.flush()
    return person


def unblock_user(session: Session, user: User, handle: str) -> User:
    """Lift a block (follows are not restored)."""
    person = accounts.get_user_by_handle(session, handle)
    session.execute(delete(Block).where(Block.blocker_id == user.id, Block.blocked_id == person.id))
    session.flush()
    return person


def blocked_users(session: Session, user: User) -> list[User]:
    """The people ``user`` blocked, most recent first."""
    return list(
        session.scalars(
            select(User)
            .join(Block, Block.blocked_id == User.id)
            .where(Block.blocker_id == user.id)
            .order_by(Block.created_at.desc())
        )
    )


# ---------------------------------------------------------------------------- follows


def follow_user(session: Session, user: User, handle: str) -> User:
    """Follow someone (again is fine); they are told once."""
    person = visible_user(session, user, handle)
    if person.id == user.id:
        raise InvalidInput("You cannot follow yourself.", code="cannot_follow_self")
    if session.get(Follow, (user.id, person.id)) is None:
        session.add(Follow(follower_id=user.id, followee_id=person.id))
        already_told = session.scalar(
            select(
                exists().where(
                    Notification.user_id == person.id,
                    Notification.kind == FOLLOW,
                    Notification.actor_id == user.id,
                )
            )
        )
        if not already_told:
            _notify(session, person.id, FOLLOW, actor=user, text=f"@{user.handle} follows you")
        session.flush()
    return person


def unfollow_user(session: Session, user: User, handle: str) -> User:
    """Stop following someone (not following them already is fine)."""
    person = accounts.get_user_by_handle(session, handle)
    session.execute(
        delete(Follow).where(Follow.follower_id == user.id, Follow.followee_id == person.id)
    )
    session.flush()
    return person


def followed_ids(session: Session, user_id: str) -> set[str]:
    """The ids of the people ``user_id`` follows."""
    return set(session.scalars(select(Follow.followee_id).where(Follow.follower_id == user_id)))


@dataclass(frozen=True)
class Relationship:
    """Counts and the viewer's relation to a person, as a profile shows them."""

    follower_count: int
    following_count: int
    video_count: int
    remix_count: int
    is_following: bool
    follows_you: bool
    blocked: bool


def relationship(session: Session, viewer: User | None, person: User) -> Relationship:
    """Follower, following and published-video counts, and how ``viewer`` relates."""
    followers = session.scalar(
        select(func.count()).select_from(Follow).where(Follow.followee_id == person.id)
    )
    following = session.scalar(
        select(func.count()).select_from(Follow).where(Follow.follower_id == person.id)
    )
    videos, remixes = session.execute(
        select(func.count(), func.count(Video.remix_of)).where(
            Video.author_id == person.id, Video.status == PUBLISHED
        )
    ).one()
    is_following = follows_you = blocked = False
    if viewer is not None and viewer.id != person.id:
        is_following = session.get(Follow, (viewer.id, person.id)) is not None
        follows_you = session.get(Follow, (person.id, viewer.id)) is not None
        blocked = session.get(Block, (viewer.id, person.id)) is not None
    return Relationship(
        follower_count=int(followers or 0),
        following_count=int(following or 0),
        video_count=int(videos or 0),
        remix_count=int(remixes or 0),
        is_following=is_following,
        follows_you=follows_you,
        blocked=blocked,
    )


def list_user_videos(
    session: Session,
    viewer: User | None,
    handle: str,
    *,
    remixes_only: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> tuple[User, list[Video], str | None]:
    """A person's published videos (or only their remixes), newest first, a page at a
    time: ``(person, videos, next_cursor)``."""
    person = visible_user(session, viewer, handle)
    size = page_size(limit)
    query = select(Video).where(Video.author_id == person.id, Video.status == PUBLISHED)
    if remixes_only:
        query = query.where(Video.remix_of.is_not(None))
    if cursor:
        when, last_id = decode_cursor(cursor)
        query = query.where(
            or_(Video.published_at < when, and_(Video.published_at == when, Video.id < last_id))
        )
    videos = list(
        session.scalars(query.order_by(Video.published_at.desc(), Video.id.desc()).limit(size + 1))
    )
    next_cursor = None
    if len(videos) > size:
        videos = videos[:size]
        last = videos[-1]
        assert last.published_at is not None
        next_cursor = encode_cursor(last.published_at, last.id)
    return person, videos, next_cursor


# ---------------------------------------------------------------------------- likes


def like_video(session: Session, user: User, video_id: str) -> Video:
    """Like a published video. Liking again changes nothing."""
    video = _published_video(session, user, video_id)
    if session.get(Like, (user.id, video.id)) is not None:
        return video
    session.add(Like(user_id=user.id, video_id=video.id))
    session.flush()
    _change_counter(session, video, "like_count", +1)
    if video.author_id != user.id:
        already_told = session.scalar(
            select(
                exists().where(
                    Notification.user_id == video.author_id,
                    Notification.kind == LIKE,
                    Notification.actor_id == user.id,
                    Notification.video_id == video.id,
                )
            )
        )
        if not already_told:
            _notify(
                session,
                video.author_id,
                LIKE,
                actor=user,
                video_id=video.id,
                text=f"@{user.handle} liked your video",
            )
    session.flush()
    return video


def unlike_video(session: Session, user: User, video_id: str) -> Video:
    """Take a like back. Not having liked it is fine."""
    video = visible_video(session, user, video_id)
    removed = session.execute(
        delete(Like).where(Like.user_id == user.id, Like.video_id == video.id)
    )
    if removed.rowcount:  # type: ignore[attr-defined]
        _change_counter(session, video, "like_count", -1)
    session.flush()
    return video


def liked_video_ids(session: Session, user: User | None, video_ids: Sequence[str]) -> set[str]:
    """Which of ``video_ids`` the user liked."""
    if user is None or not video_ids:
        return set()
    return set(
        session.scalars(
            select(Like.video_id).where(Like.user_id == user.id, Like.video_id.in_(video_ids))
        )
    )


def _change_counter(session: Session, video: Video, column: str, delta: int) -> None:
    """Add ``delta`` to one of the video's counters in SQL, so concurrent likes add up,
    never going below zero."""
    counter = getattr(Video, column)
    session.execute(
        update(Video)
        .where(Video.id == video.id)
        .values({column: case((counter + delta < 0, 0), else_=counter + delta)})
        .execution_options(synchronize_session=False)
    )
    session.refresh(video, [column])


# ---------------------------------------------------------------------------- comments


def add_comment(session: Session, user: User, video_id: str, text: str) -> Comment:
    """Comment on a published video (at most ``MAX_COMMENT_CHARS`` characters). Harmful
    comments are refused by moderation (``ModerationBlocked``)."""
    video = _published_video(session, user, video_id)
    clean = (text or "").strip()
    if not clean:
        raise InvalidInput("The comment is empty.", code="empty_comment")
    if len(clean) > MAX_COMMENT_CHARS:
        raise InvalidInput(
            f"A comment can be at most {MAX_COMMENT_CHARS} characters; this one has {len(clean)}.",
            code="comment_too_long",
        )
    safety.moderate(session, user, clean, "comment")
    comment = Comment(
        id=new_id("cmt"),
        video_id=video.id,
        author_id=user.id,
        text=clean,
        status=VISIBLE,
        created_at=utcnow(),
    )
    session.add(comment)
    session.flush()
    _change_counter(session, video, "comment_count", +1)
    if video.author_id != user.id:
        snippet = clean if len(clean) <= 80 else clean[:79] + "…"
        _notify(
            session,
            video.author_id,
            COMMENT,
            actor=user,
            video_id=video.id,
            comment_id=comment.id,
            text=f"@{user.handle} commented: {snippet}",
        )
    session.flush()
    return comment


def list_comments(
    session: Session,
    viewer: User | None,
    video_id: str,
    *,
    cursor: str | None = None,
    limit: int | None = None,
) -> tuple[list[tuple[Comment, User]], str | None]:
    """A video's visible comments, newest first, without those of people hidden from
    the viewer: ``([(comment, author)], next_cursor)``."""
    video = visible_video(session, viewer, video_id)
    size = page_size(limit)
    hidden = hidden_user_ids(session, viewer.id if viewer else None)
    query = (
        select(Comment, User)
        .join(User, User.id == Comment.author_id)
        .where(
            Comment.video_id == video.id, Comment.status == VISIBLE, User.is_suspended.is_(False)
        )
    )
    if hidden:
        query = query.where(Comment.author_id.not_in(hidden))
    if cursor:
        when, last_id = decode_cursor(cursor)
        query = query.where(
            or_(Comment.created_at < when, and_(Comment.created_at == when, Comment.id < last_id))
        )
    rows = [
        (comment, author)
        for comment, author in session.execute(
            query.order_by(Comment.created_at.desc(), Comment.id.desc()).limit(size + 1)
        )
    ]
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1][0]
        next_cursor = encode_cursor(last.created_at, last.id)
    return rows, next_cursor


def delete_comment(session: Session, user: User, comment_id: str) -> None:
    """Delete a comment: its author, or the author of the video it is under."""
    comment = session.get(Comment, comment_id)
    video = session.get(Video, comment.video_id) if comment is not None else None
    if comment is None or video is None:
        raise NotFound("That comment was not found.")
    if user.id not in (comment.author_id, video.author_id) and not user.is_admin:
        raise NotFound("That comment was not found.")
    was_visible = comment.status == VISIBLE
    session.delete(comment)
    session.flush()
    if was_visible:
        _change_counter(session, video, "comment_count", -1)


# ---------------------------------------------------------------------------- remixes


def remix_video(
    session: Session,
    runtime: Runtime,
    user: User,
    video_id: str,
    *,
    prompt: str,
    seconds: float | None = None,
    size: str | None = None,
    seed: int | None = None,
) -> Generation:
    """Start a remix of a published video the person can see: a generation whose
    ``remix_of`` is that video, so the engine edits its plan with ``prompt``. Length
    and shape default to the parent's."""
    parent = _published_video(session, user, video_id)
    if not (parent.plan or {}).get("shots"):
        raise InvalidInput(
            "This video has no scene description to edit, so it cannot be remixed.",
            code="not_remixable",
        )
    return studio.request_generation(
        session,
        runtime,
        user,
        prompt=prompt,
        seconds=seconds if seconds is not None else parent.seconds,
        size=size or f"{parent.width}x{parent.height}",
        seed=seed,
        remix_of=parent.id,
    )


def list_remixes(
    session: Session, viewer: User | None, video_id: str, *, limit: int = MAX_PAGE
) -> list[Video]:
    """The published direct remixes of a video, newest first."""
    video = visible_video(session, viewer, video_id)
    hidden = hidden_user_ids(session, viewer.id if viewer else None)
    query = select(Video).where(Video.remix_of == video.id, Video.status == PUBLISHED)
    if hidden:
        query = query.where(Video.author_id.not_in(hidden))
    return list(
        session.scalars(query.order_by(Video.published_at.desc(), Video.id.desc()).limit(limit))
    )


@dataclass
class Lineage:
    """Where a video sits in its remix chain."""

    video: Video
    parent: Video | None
    root: Video
    depth: int  # 0 for an original, 1 for a remix of it, ...
    ancestors: list[Video] = field(default_factory=list)  # parent first, root last
    children: list[Video] = field(default_factory=list)
    # True when an ancestor exists but is hidden from the viewer (deleted, a draft, or
    # behind a block): the chain shown stops there.
    cut: bool = False


def lineage(session: Session, viewer: User | None, video_id: str) -> Lineage:
    """A video's parent, root, depth and direct remixes, as far as the viewer may see."""
    video = visible_video(session, viewer, video_id)
    ancestors: list[Video] = []
    current = video
    cut = False
    seen = {video.id}
    while current.remix_of and len(ancestors) < MAX_LINEAGE_DEPTH:
        if current.remix_of in seen:
            break
        try:
            parent = visible_video(session, viewer, current.remix_of)
        except NotFound:
            cut = True
            break
        ancestors.append(parent)
        seen.add(parent.id)
        current = parent
    if current.remix_of is None and not cut:
        depth = len(ancestors)
    else:
        cut = True
        depth = len(ancestors) + 1  # at least one more, hidden, generation above
    return Lineage(
        video=video,
        parent=ancestors[0] if ancestors else None,
        root=ancestors[-1] if ancestors else video,
        depth=depth,
        ancestors=ancestors,
        children=list_remixes(session, viewer, video.id),
        cut=cut,
    )


def record_published_remix(session: Session, remix: Video) -> None:
    """A remix was just published: its parent's ``remix_count`` counts it at once, and
    the parent's author is told ("remixed your video"), unless it is their own remix,
    they were already told, or a block stands between them."""
    if remix.remix_of is None or remix.status != PUBLISHED:
        return
    parent = session.get(Video, remix.remix_of)
    if parent is None:
        return
    count = session.scalar(
        select(func.count())
        .select_from(Video)
        .where(Video.remix_of == parent.id, Video.status == PUBLISHED)
    )
    session.execute(
        update(Video)
        .where(Video.id == parent.id)
        .values(remix_count=int(count or 0))
        .execution_options(synchronize_session=False)
    )
    session.refresh(parent, ["remix_count"])
    author_id = parent.author_id
    if author_id == remix.author_id or is_hidden_between(session, author_id, remix.author_id):
        session.flush()
        return
    already_told = session.scalar(
        select(
            exists().where(
                Notification.user_id == author_id,
                Notification.kind == REMIX,
                Notification.video_id == remix.id,
            )
        )
    )
    if not already_told:
        actor = session.get(User, remix.author_id)
        _notify(
            session,
            author_id,
            REMIX,
            actor=actor,
            video_id=remix.id,
            text=f"@{actor.handle if actor else 'someone'} remixed your video",
            created_at=remix.published_at,
        )
    session.flush()


def record_published_remixes(session: Session, author_id: str) -> int:
    """Bring the author's notifications and remix counters up to date with remixes of
    their videos that others have published: one "remix" notification per published
    remix, and each parent's ``remix_count`` equal to its published remixes. Returns
    how many new remixes were found."""
    parent = aliased(Video)
    fresh = session.execute(
        select(Video.id, Video.author_id, Video.remix_of, Video.published_at)
        .join(parent, parent.id == Video.remix_of)
        .where(
            parent.author_id == author_id,
            Video.status == PUBLISHED,
            Video.author_id != author_id,
            ~exists().where(
                Notification.user_id == author_id,
                Notification.kind == REMIX,
                Notification.video_id == Video.id,
            ),
        )
    ).all()
    if not fresh:
        return 0
    actors = {
        user.id: user
        for user in session.scalars(select(User).where(User.id.in_({r[1] for r in fresh})))
    }
    for remix_id, actor_id, _parent_id, published_at in fresh:
        actor = actors.get(actor_id)
        _notify(
            session,
            author_id,
            REMIX,
            actor=actor,
            video_id=remix_id,
            text=f"@{actor.handle if actor else 'someone'} remixed your video",
            created_at=published_at,
        )
    for parent_id in {r[2] for r in fresh}:
        count = session.scalar(
            select(func.count())
            .select_from(Video)
            .where(Video.remix_of == parent_id, Video.status == PUBLISHED)
        )
        session.execute(
            update(Video)
            .where(Video.id == parent_id)
            .values(remix_count=int(count or 0))
            .execution_options(synchronize_session=False)
        )
    session.flush()
    return len(fresh)


# ---------------------------------------------------------------------------- notifications


def _notify(
    session: Session,
    user_id: str,
    kind: str,
    *,
    actor: User | None = None,
    video_id: str | None = None,
    comment_id: str | None = None,
    subject: str | None = None,
    text: str = "",
    created_at: datetime | None = None,
) -> Notification:
    notification = Notification(
        id=new_id("ntf"),
        user_id=user_id,
        kind=kind,
        actor_id=actor.id if actor else None,
        video_id=video_id,
        comment_id=comment_id,
        subject=subject,
        text=text,
        created_at=created_at or utcnow(),
    )
    session.add(notification)
    return notification


def notify_character_used(
    session: Session,
    *,
    owner_id: str,
    actor: User,
    video_id: str | None,
    character_handle: str,
) -> Notification | None:
    """Tell a character's owner that ``actor`` put the character in a video (a draft
    included). Nothing is sent for one's own use or across a block."""
    if owner_id == actor.id or is_hidden_between(session, owner_id, actor.id):
        return None
    handle = character_handle.lstrip("@")
    notification = _notify(
        session,
        owner_id,
        CHARACTER_USED,
        actor=actor,
        video_id=video_id,
        subject=handle,
        text=f"@{actor.handle} put your character @{handle} in a video",
    )
    session.flush()
    return notification


def notify_email_shared(session: Session, *, owner_id: str, newcomer: User) -> Notification:
    """Tell the person who signs in with an address that ``newcomer`` just signed up
    with it too. Sign-up itself answers the same either way (``accounts.sign_up``), so
    this notice is the only place the overlap is told: to the address's holder."""
    owner = accounts.get_user(session, owner_id)
    notification = _notify(
        session,
        owner_id,
        EMAIL_SHARED,
        actor=newcomer,
        text=(
            f"A new account, @{newcomer.handle}, signed up with your email address. "
            f"If that was you, you already had this account, @{owner.handle}. "
            "If it was not, it gives them no way into yours."
        ),
    )
    session.flush()
    return notification


def list_notifications(
    session: Session,
    user: User,
    *,
    unread_only: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> tuple[list[tuple[Notification, User | None]], str | None, int]:
    """The person's notifications, newest first, without those from people hidden
    from them: ``([(notification, actor)], next_cursor, unread_count)``."""
    record_published_remixes(session, user.id)
    size = page_size(limit)
    hidden = hidden_user_ids(session, user.id)
    base = select(Notification).where(Notification.user_id == user.id)
    if hidden:
        base = base.where(
            or_(Notification.actor_id.is_(None), Notification.actor_id.not_in(hidden))
        )
    unread = session.scalar(
        select(func.count()).select_from(base.where(Notification.read_at.is_(None)).subquery())
    )
    query = base
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if cursor:
        when, last_id = decode_cursor(cursor)
        query = query.where(
            or_(
                Notification.created_at < when,
                and_(Notification.created_at == when, Notification.id < last_id),
            )
        )
    notifications = list(
        session.scalars(
            query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(size + 1)
        )
    )
    next_cursor = None
    if len(notifications) > size:
        notifications = notifications[:size]
        last = notifications[-1]
        next_cursor = encode_cursor(last.created_at, last.id)
    actor_ids = {n.actor_id for n in notifications if n.actor_id}
    actors = (
        {u.id: u for u in session.scalars(select(User).where(User.id.in_(actor_ids)))}
        if actor_ids
        else {}
    )
    return (
        [(n, actors.get(n.actor_id) if n.actor_id else None) for n in notifications],
        next_cursor,
        int(unread or 0),
    )


def mark_notifications_read(
    session: Session, user: User, notification_ids: Sequence[str] | None = None
) -> int:
    """Mark the given notifications (all, when none are named) as read; returns how
    many changed."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        query = query.where(Notification.id.in_(list(notification_ids)))
    result = session.execute(
        query.values(read_at=utcnow()).execution_options(synchronize_session=False)
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
