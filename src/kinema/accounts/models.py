"""Account tables: users, browser sessions, API keys, invite codes and the token
buckets behind the login and sign-up rate limits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kinema.db import Base, UTCDateTime, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # Stored lower-case, so uniqueness holds regardless of case.
    handle: Mapped[str] = mapped_column(String(30), unique=True)
    # The address this account signs in with; one account per address.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # The address typed at sign-up when another account already signs in with it (see
    # ``accounts.service.sign_up``). ``email`` then holds a reserved, undeliverable
    # address of this account's own, and this one is what the person sees and may sign
    # in with.
    shared_email: Mapped[str | None] = mapped_column(String(254), default=None, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(60), default=None)
    bio: Mapped[str | None] = mapped_column(String(300), default=None)
    # Unknown for accounts an administrator created without one.
    birthdate: Mapped[date | None] = mapped_column(Date, default=None)
    is_teen: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str] = mapped_column(String(20), default="user")
    is_suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    invited_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LoginSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is kept."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_agent: Mapped[str | None] = mapped_column(String(300), default=None)
    ip_address: Mapped[str | None] = mapped_column(String(64), default=None)


class ApiKey(Base):
    """A key for scripts and clients. Shown once; only its SHA-256 is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the key, so a person can tell their keys apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class Invite(Base):
    """A one-use sign-up code, issued to a user (or by an administrator)."""

    __tablename__ = "invites"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    created_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, default=None
    )
    used_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class RateLimitBucket(Base):
    """A token bucket shared by every server process through the database."""

    __tablename__ = "rate_limit_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    # Seconds since the epoch of the last refill; a float keeps the arithmetic in SQL.
    updated: Mapped[float] = mapped_column(Float)
