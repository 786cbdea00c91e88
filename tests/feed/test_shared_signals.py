"""Trending is shared by everyone: an outdated ranking keeps being served while it is
recounted in the background, and the recount then shows what changed."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from kinema.accounts.models import User
from kinema.feed import pipeline, service
from kinema.studio.models import Video


def _trending(client: TestClient) -> set[str]:
    items = client.get("/api/feed?limit=50").json()["items"]
    return {item["id"] for item in items if item["reason"] == "trending"}


def test_trending_is_recounted_in_the_background(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    client: TestClient,
    publish: Callable[..., Video],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(service, "REUSE_SECONDS", 0.0)  # rank on every visit
    maker, fan = make_user("maker"), make_user("fan")
    videos = [publish(maker, f"a lighthouse in a storm {n}") for n in range(3)]
    assert _trending(client) == set()  # nothing liked yet, and that is remembered

    api_client(fan).post(f"/api/videos/{videos[1].id}/like")
    assert _trending(client) == set()  # still the remembered ranking

    monkeypatch.setattr(pipeline, "GLOBAL_SIGNAL_SECONDS", 0.0)
    client.get("/api/feed")  # outdated: served as it is, recounted meanwhile
    for _ in range(200):  # wait for the recount
        liked = {video_id for ranking in pipeline.TRENDING._cache.values()
                 for video_id in ranking[1]}
        if videos[1].id in liked:
            break
        time.sleep(0.05)
    monkeypatch.setattr(pipeline, "GLOBAL_SIGNAL_SECONDS", 3600.0)
    assert _trending(client) == {videos[1].id}
