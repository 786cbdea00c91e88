"""Studio test helpers."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    """A small solid-colour image encoded as ``fmt`` (PNG, JPEG, WEBP, GIF...)."""
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, size, (200, 80, 40, 255) if mode == "RGBA" else (200, 80, 40)).save(
        out, fmt, **save
    )
    return out.getvalue()


@pytest.fixture
def make_image() -> Callable[..., bytes]:
    """``make_image("PNG", (64, 48))`` -> the encoded bytes."""
    return image_bytes
