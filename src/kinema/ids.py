"""Identifiers: a short prefix naming the kind of thing, then a time-ordered random part,
so ids sort by creation time (useful for cursors) and cannot be guessed."""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """``new_id("vid")`` -> ``"vid_01hx..."``: 10 chars of milliseconds, 16 random."""
    millis = int(time.time() * 1000)
    return f"{prefix}_{_encode(millis, 10)}{_encode(secrets.randbits(80), 16)}"
