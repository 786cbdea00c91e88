"""Social tables: follows, blocks, likes, comments and notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

# Social rows point at users and videos; both tables must be known wherever these are
# written.
import kinema.accounts.models
import kinema.studio.models  # noqa: F401
from kinema.db import Base, UTCDateTime, utcnow

# Notification kinds, as the API shows them.
FOLLOW, LIKE, COMMENT, REMIX, CHARACTER_USED, EMAIL_SHARED = (
    "follow",
    "like",
    "comment",
    "remix",
    "character_used",
    "email_shared",
)
NOTIFICATION_KINDS = (FOLLOW, LIKE, COMMENT, REMIX, CHARACTER_USED, EMAIL_SHARED)
# Comment statuses: visible, or hidden by moderators.
VISIBLE, HIDDEN = "visible", "hidden"


class Follow(Base):
    """``follower_id`` follows ``followee_id``."""

    __tablename__ = "follows"
    __table_args__ = (Index("ix_follows_followee_id", "followee_id"),)

    follower_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    followee_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Block(Base):
    """``blocker_id`` blocked ``blocked_id``: each is hidden from the other."""

    __tablename__ = "blocks"
    __table_args__ = (Index("ix_blocks_blocked_id", "blocked_id"),)

    blocker_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Like(Base):
    """A person liked a video (at most once)."""

    __tablename__ = "likes"
    __table_args__ = (
        Index("ix_likes_video_id_created_at", "video_id", "created_at"),
        Index("ix_likes_user_id_created_at", "user_id", "created_at"),
        Index("ix_likes_created_at", "created_at"),
    )

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    video_id: Mapped[str] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Comment(Base):
    """A comment under a video."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_video_id_created_at", "video_id", "created_at"),
        Index("ix_comments_author_id_created_at", "author_id", "created_at"),
        Index("ix_comments_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=VISIBLE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Notification(Base):
    """Something that happened that a person should hear about."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    # Videos and comments can be deleted; the notification stays, without the link.
    video_id: Mapped[str | None] = mapped_column(
        ForeignKey("videos.id", ondelete="SET NULL"), nullable=True, index=True
    )
    comment_id: Mapped[str | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), nullable=True
    )
    # For character notifications: the character's handle (the characters domain owns
    # that table, so this is kept as text).
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
