"""Character tables: capture challenges, characters (with their sealed biometric data),
who may use them, and every video they appear in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

# Characters point at users, generations and videos: their tables must be known
# wherever character rows are written.
import kinema.accounts.models
import kinema.studio.models  # noqa: F401
from kinema.db import Base, UTCDateTime, utcnow

# Kinds, statuses and permission levels as the API shows them.
PERSON, PET, OBJECT = "person", "pet", "object"
KINDS = (PERSON, PET, OBJECT)
VERIFYING, VERIFIED, REJECTED = "verifying", "verified", "rejected"
ONLY_ME, APPROVED, MUTUALS, EVERYONE = "only_me", "approved", "mutuals", "everyone"
LEVELS = (ONLY_ME, APPROVED, MUTUALS, EVERYONE)


class CaptureChallenge(Base):
    """What a person must say and how they must turn while recording; used once."""

    __tablename__ = "character_challenges"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    phrase: Mapped[str] = mapped_column(String(200))
    turns: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Character(Base):
    """A person, pet or object that can appear in videos. The face descriptor, voice
    profile, cutout and source clip are sealed (see ``kinema.characters.crypto``)."""

    __tablename__ = "characters"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Lower-case, unique: what prompts write after "@".
    handle: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(10), default=PERSON)
    status: Mapped[str] = mapped_column(String(12), default=VERIFYING)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    permission: Mapped[str] = mapped_column(String(12), default=ONLY_ME)
    instructions: Mapped[str] = mapped_column(Text, default="")
    # The challenge the person answered: {"phrase": ..., "turns": [...]}.
    challenge: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    descriptor_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    voice_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    cutout_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Kept (sealed) only until verification ends.
    clip_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    checking_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CharacterApproval(Base):
    """A person the owner approved by handle (for the ``approved`` level)."""

    __tablename__ = "character_approvals"

    character_id: Mapped[str] = mapped_column(
        ForeignKey("characters.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CharacterAppearance(Base):
    """A character named in a generation, and the video it made (once there is one)."""

    __tablename__ = "character_appearances"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    character_id: Mapped[str] = mapped_column(
        ForeignKey("characters.id", ondelete="CASCADE"), index=True
    )
    generation_id: Mapped[str] = mapped_column(
        ForeignKey("generations.id", ondelete="CASCADE"), index=True
    )
    video_id: Mapped[str | None] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), nullable=True, index=True
    )
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
