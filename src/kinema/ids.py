"""Identifiers: a short prefix naming the kind of thing, then a time-ordered random part,
so ids sort by creation time (useful for cursors) and cannot be guessed."""

from __future__ import annotations

import secrets
import time
from datetime import datetime

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id(prefix: str, *, at: datetime | None = None) -> str:
    """``new_id("vid")`` -> ``"vid_01hx..."``: 10 chars of milliseconds, 16 random.
    ``at`` dates the id (e.g. for imported or demo data created in the past)."""
    millis = int((at.timestamp() if at is not None else time.time()) * 1000)
    return f"{prefix}_{_encode(millis, 10)}{_encode(secrets.randbits(80), 16)}"
