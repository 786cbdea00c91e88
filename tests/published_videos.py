"""Published videos made cheaply from one really rendered clip, for the social and feed
tests (loaded as a plugin by tests/conftest.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kinema.db import transaction
from kinema.ids import new_id

if TYPE_CHECKING:
    from kinema.accounts.models import User
    from kinema.runtime import Runtime
    from kinema.studio.models import Video


@dataclass(frozen=True)
class Clip:
    video: Path
    thumbnail: Path
    width: int
    height: int
    fps: int
    seconds: float
    plan: dict[str, object]


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    """One tiny clip rendered by the procedural engine, shared by the session's videos."""
    from kinema.engines import GenerationRequest, get_engine

    out = tmp_path_factory.mktemp("clip")
    result = get_engine("procedural").generate(
        GenerationRequest(prompt="a dog runs in the park", output=out / "clip.mp4",
                          seconds=1, width=160, height=288, fps=12, seed=7)
    )
    return Clip(video=result.video_path, thumbnail=result.thumbnail_path, width=160,
                height=288, fps=12, seconds=1.0, plan=result.plan)


@pytest.fixture
def publish(runtime: Runtime, clip: Clip) -> Callable[..., Video]:
    """``publish(author, "a chef cooking", caption=..., remix_of=...)``: a draft with
    the shared clip's media, published through the studio service."""
    from kinema.studio import service as studio
    from kinema.studio.models import DRAFT, Video

    def _publish(author: User, prompt: str, *, caption: str = "",
                 remix_of: str | None = None, at: datetime | None = None) -> Video:
        video_id = new_id("vid", at=at)
        key = f"videos/{video_id}"
        runtime.storage.put_file(f"{key}.mp4", clip.video)
        runtime.storage.put_file(f"{key}.jpg", clip.thumbnail)
        with transaction(runtime.sessions) as session:
            session.add(Video(
                id=video_id, author_id=author.id, prompt=prompt, status=DRAFT,
                seconds=clip.seconds, width=clip.width, height=clip.height, fps=clip.fps,
                engine="procedural", remix_of=remix_of, plan=dict(clip.plan),
                video_key=f"{key}.mp4", thumbnail_key=f"{key}.jpg",
            ))
            session.flush()
            video = studio.publish_video(session, author, video_id, caption=caption)
            if at is not None:
                video.published_at = video.created_at = at
            return video

    return _publish


@pytest.fixture
def seed_clip_in_storage(runtime: Runtime, clip: Clip) -> None:
    """Put the shared clip where ``kinema admin seed`` looks for its demo clips, so
    seeding needs no rendering."""
    runtime.storage.put_file("seed/clip-0.mp4", clip.video)
    runtime.storage.put_file("seed/clip-0.jpg", clip.thumbnail)
    meta = {"video_key": "seed/clip-0.mp4", "thumbnail_key": "seed/clip-0.jpg",
            "width": clip.width, "height": clip.height, "fps": clip.fps,
            "seconds": clip.seconds, "credits": [], "prompt": "a dog runs in the park",
            "plan": clip.plan}
    runtime.storage.put_bytes("seed/clip-0.json", json.dumps(meta).encode())
