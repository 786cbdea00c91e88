"""``kinema admin seed`` also makes follows, likes and comments, in proportion, with
counters on the videos that match."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kinema.runtime import Runtime
from kinema.social.models import Comment, Follow, Like
from kinema.studio.models import Video
from kinema.studio.seed import seed_demo_data


def test_seeding_adds_social_activity(
    runtime: Runtime, seed_clip_in_storage: None, client: TestClient,
    login: Callable[..., None],
) -> None:
    report = seed_demo_data(runtime, users=40, videos=200, seed=5, clips=1)
    assert report.counts["follows"] > 40
    assert report.counts["likes"] > 300
    assert report.counts["comments"] > 40
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Follow)) == report.counts[
            "follows"]
        likes = session.scalar(select(func.count()).select_from(Like))
        assert session.scalar(select(func.sum(Video.like_count))) == likes
        comments = session.scalar(select(func.count()).select_from(Comment))
        assert session.scalar(select(func.sum(Video.comment_count))) == comments
        follower = session.scalar(select(Follow.follower_id).limit(1))
        from kinema.accounts.models import User

        someone = session.get(User, follower)
        assert someone is not None
        handle = someone.handle
    signed_in = client.post("/api/auth/login",
                            json={"login": handle, "password": report.password})
    assert signed_in.status_code == 200
    client.headers["X-CSRF-Token"] = client.cookies["kinema_csrf"]
    feed = client.get("/api/feed?limit=10").json()["items"]
    assert len(feed) == 10
    assert feed[0]["reason"] in ("following", "interacted")
