"""``kinema admin seed``: bulk demo data whose videos really play."""

from __future__ import annotations

import io
from collections.abc import Callable

import av
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import Result

from kinema.accounts.models import User
from kinema.db import transaction
from kinema.runtime import Runtime
from kinema.studio.models import Video
from kinema.studio.seed import DEMO_PASSWORD, ensure_seed_clips, seed_demo_data

TINY = {"size": (160, 288), "seconds": 1}


@pytest.mark.slow
def test_seed_fills_users_and_playable_videos(runtime: Runtime, client: TestClient) -> None:
    ensure_seed_clips(runtime, 2, **TINY)  # rendered once, shared by every seeded video
    report = seed_demo_data(runtime, users=300, videos=3000, seed=7, clips=2)
    assert (report.users, report.videos, report.clips) == (300, 3000, 2)
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count(User.id))) == 300
        assert (
            session.scalar(select(func.count(Video.id)).where(Video.status == "published")) == 3000
        )
        authors = session.scalar(select(func.count(func.distinct(Video.author_id))))
        assert authors is not None and authors > 50
        remixes = session.scalar(select(func.count(Video.id)).where(Video.remix_of.is_not(None)))
        assert remixes is not None and remixes > 0
        total_remix_count = session.scalar(select(func.sum(Video.remix_count)))
        assert total_remix_count == remixes
        sample = session.scalars(select(Video).order_by(Video.published_at.desc()).limit(3)).all()
        handle = session.scalar(select(User.handle).limit(1))

    # Seeded videos are public and their content plays.
    for video in sample:
        meta = client.get(f"/api/videos/{video.id}")
        assert meta.status_code == 200
        assert meta.json()["status"] == "published"
        assert meta.json()["author"]["handle"]
        content = client.get(meta.json()["content_url"])
        assert content.status_code == 200
        assert content.headers["content-type"] == "video/mp4"
        with av.open(io.BytesIO(content.content)) as container:
            frames = sum(1 for _ in container.decode(video=0))
        assert frames > 0

    # Demo accounts can sign in with the demo password.
    response = client.post("/api/auth/login", json={"login": handle, "password": DEMO_PASSWORD})
    assert response.status_code == 200


@pytest.mark.slow
def test_seed_command(runtime: Runtime, kinema: Callable[..., Result]) -> None:
    ensure_seed_clips(runtime, 1, **TINY)
    result = kinema("admin", "seed", "--users", "20", "--videos", "100", "--clips", "1")
    assert result.exit_code == 0, result.output
    assert "Seeded 20 users and 100 videos" in result.output


def test_seed_refuses_videos_without_users(kinema: Callable[..., Result]) -> None:
    result = kinema("admin", "seed", "--users", "0", "--videos", "5")
    assert result.exit_code != 0
    assert "at least one user" in result.output
    assert "Traceback" not in result.output


def test_other_features_add_their_own_seed_steps(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kinema.studio import seed as seed_module

    monkeypatch.setattr(seed_module, "_EXTRA_STEPS", [])
    seen: dict[str, int] = {}

    def count_pairs(context: seed_module.SeedContext) -> int:
        seen["users"] = len(context.user_ids)
        seen["videos"] = len(context.video_ids)
        assert set(context.video_authors) <= set(context.user_ids)
        return 42

    seed_module.register_seed_step("follows", count_pairs)
    ensure_seed_clips(runtime, 1, **TINY)
    report = seed_demo_data(runtime, users=10, videos=30, clips=1)
    assert seen == {"users": 10, "videos": 30}
    assert report.counts["follows"] == 42
