"""Fixtures for the character tests; the clips themselves are built in ``capture_clips``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from capture_clips import faceless_clip, person_clip, pet_clip


@pytest.fixture
def clips(tmp_path: Path) -> Callable[..., Path]:
    """``clips("person", phrase=..., turns=[...])``, ``clips("pet")``, ``clips("faceless")``."""
    counter = iter(range(1000))

    def _make(kind: str, **kwargs: object) -> Path:
        path = tmp_path / f"{kind}-{next(counter)}.mp4"
        if kind == "person":
            return person_clip(path, str(kwargs["phrase"]), list(kwargs["turns"]))  # type: ignore[call-overload]
        if kind == "pet":
            return pet_clip(path)
        return faceless_clip(path)

    return _make
