"""Provenance tables: the fingerprint of every rendered video, for reverse lookup."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

import kinema.studio.models  # noqa: F401  (fingerprints point at videos)
from kinema.db import Base, UTCDateTime, utcnow


class VideoFingerprint(Base):
    """Picture and sound fingerprints of a rendered video (``Fingerprint.to_dict``)."""

    __tablename__ = "video_fingerprints"

    video_id: Mapped[str] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    )
    seconds: Mapped[float] = mapped_column(Float)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
