"""Feed tables: each person's steering instruction, seen set, not-interested marks and
the frozen rankings that cursors page through."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

import kinema.accounts.models  # noqa: F401
from kinema.db import Base, UTCDateTime, utcnow
from kinema.studio.models import Video

# The "people you follow" source reads each followed author's newest published videos.
Index("ix_videos_author_id_status_published_at", Video.author_id, Video.status, Video.published_at)


class FeedPreference(Base):
    """A person's plain-language feed instruction and what it was understood as."""

    __tablename__ = "feed_preferences"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    instruction: Mapped[str] = mapped_column(Text, default="")
    boosts: Mapped[list[str]] = mapped_column(JSON, default=list)
    reductions: Mapped[list[str]] = mapped_column(JSON, default=list)
    exclusions: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SeenVideo(Base):
    """A video a person has watched in the feed; the feed does not show it again."""

    __tablename__ = "feed_seen"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    video_id: Mapped[str] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NotInterested(Base):
    """A video a person said they are not interested in."""

    __tablename__ = "feed_not_interested"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    video_id: Mapped[str] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FeedSnapshot(Base):
    """A ranking frozen when a person opened their feed. Cursors page through it, so
    videos published meanwhile neither repeat nor push others out of the pages."""

    __tablename__ = "feed_snapshots"
    __table_args__ = (Index("ix_feed_snapshots_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # None for a signed-out visitor's feed.
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    # [[video_id, reason, score], ...] in the order they are shown.
    entries: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    # Videos earlier snapshots of the same scroll already showed.
    shown_before: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
