"""Clips shared by the provenance tests: made once per session, small and short."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthetic import make_clip


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("provenance_clips")


@pytest.fixture(scope="session")
def clip(clip_dir: Path) -> Path:
    """A 3 s, 160x288, 24 fps clip with a tune."""
    return make_clip(clip_dir / "clip.mp4", seed=7)


@pytest.fixture(scope="session")
def long_clip(clip_dir: Path) -> Path:
    """A 4 s, 216x384 clip, long enough to cut a 2.5 s excerpt from."""
    return make_clip(clip_dir / "long.mp4", seed=11, seconds=4.0, width=216, height=384)


@pytest.fixture(scope="session")
def sharp_clip(clip_dir: Path) -> Path:
    """A 2.5 s, 360x640 clip: the invisible mark needs about 360 pixels on the short side
    to survive heavy re-encoding."""
    return make_clip(clip_dir / "sharp.mp4", seed=5, seconds=2.5, width=360, height=640)
