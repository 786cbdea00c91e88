"""Safety tables: refusals, reports, the moderation log (append-only), appeals, and
the public figures administrators add to the shipped list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

import kinema.accounts.models  # noqa: F401  (reports point at users)
from kinema.db import Base, UTCDateTime, utcnow

# Report statuses.
OPEN, RESOLVED, DISMISSED = "open", "resolved", "dismissed"
# Appeal statuses.
APPEAL_OPEN, APPEAL_GRANTED, APPEAL_DENIED = "open", "granted", "denied"


class ModerationRefusal(Base):
    """Something moderation refused: a prompt, caption, comment, transcript, image or
    rendered frames. Refusals involving minors are flagged for the administrators."""

    __tablename__ = "moderation_refusals"
    __table_args__ = (Index("ix_moderation_refusals_flagged_created_at", "flagged", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    context: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40))
    # What triggered it (a listed word, a detector class): for moderators, not the user.
    matched: Mapped[str] = mapped_column(String(300), default="")
    excerpt: Mapped[str] = mapped_column(Text, default="")
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Report(Base):
    """A person's report of a video, comment, user or character."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_status_created_at", "status", "created_at"),
        Index("ix_reports_target_type_target_id", "target_type", "target_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    reporter_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str] = mapped_column(String(40))
    # Whose content it is (the person an action on it affects).
    target_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(String(30))
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ModerationAction(Base):
    """One entry of the moderation log. Rows are only ever added: there is no code path
    that changes or deletes one, and user ids are kept as plain text so the log
    outlives the accounts it mentions."""

    __tablename__ = "moderation_actions"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    actor_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    action: Mapped[str] = mapped_column(String(30))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str] = mapped_column(String(200))
    target_user_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    report_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Appeal(Base):
    """A person's one appeal against a moderation action that affected them."""

    __tablename__ = "appeals"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # Unique: each action can be appealed once.
    action_id: Mapped[str] = mapped_column(String(40), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=APPEAL_OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class PublicFigureAddition(Base):
    """A public figure an administrator added to the shipped names list."""

    __tablename__ = "public_figure_additions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # "Full Name|alias|alias", as the names list spells entries.
    entry: Mapped[str] = mapped_column(String(500))
    added_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
