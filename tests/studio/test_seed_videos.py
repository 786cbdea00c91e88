"""Seeded demo videos are real videos: their scene description is the one the clip
was rendered from, so people can remix them, and a copy of a demo clip is found by
the provenance check."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kinema.accounts.models import User
from kinema.runtime import Runtime
from kinema.studio.models import Video
from kinema.studio.seed import ensure_seed_clips, seed_demo_data


@pytest.mark.slow
def test_a_seeded_video_can_be_remixed_and_its_clip_is_traced(
    runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    client: TestClient,
) -> None:
    (clip,) = ensure_seed_clips(runtime, 1, size=(160, 288), seconds=1)
    report = seed_demo_data(runtime, users=5, videos=20, seed=3, clips=1)
    assert report.counts["fingerprints"] == 1
    with runtime.sessions() as session:
        first = session.scalars(select(Video).order_by(Video.created_at, Video.id)).first()
        assert first is not None
        seeded_id = first.id

    as_dana = api_client(make_user("dana"))
    seeded = as_dana.get(f"/api/videos/{seeded_id}").json()
    # The prompt and scene description are those of the clip that plays.
    assert seeded["prompt"] == clip.prompt
    assert seeded["plan"]["prompt"] == clip.prompt
    assert seeded["plan"]["shots"]

    answer = as_dana.post(f"/api/videos/{seeded_id}/remix", json={"prompt": "make it night"})
    assert answer.status_code == 202, answer.text
    generation = as_dana.get(f"/api/generations/{answer.json()['generation']['id']}").json()
    assert generation["status"] == "completed", generation
    remix = as_dana.get(f"/api/videos/{generation['video_id']}").json()
    assert remix["remix_of"] == seeded_id
    assert {shot["time_of_day"] for shot in remix["plan"]["shots"]} == {"night"}
    assert {shot["time_of_day"] for shot in seeded["plan"]["shots"]} != {"night"}
    assert as_dana.get(f"/api/videos/{remix['id']}/content").status_code == 200

    # A downloaded demo clip is traced back to one seeded video.
    data = client.get(f"/api/videos/{seeded_id}/content").content
    check = client.post(
        "/api/provenance/check", files={"file": ("clip.mp4", data, "video/mp4")}
    )
    assert check.status_code == 200, check.text
    assert check.json()["match"] is True
    assert check.json()["video_id"] == seeded_id


def test_seeding_again_reuses_the_clips_and_their_plans(
    runtime: Runtime, make_user: Callable[..., User]
) -> None:
    """Clips kept from an older seed without a plan are rendered again, once."""
    import json

    (clip,) = ensure_seed_clips(runtime, 1, size=(160, 288), seconds=1)
    meta = json.loads(runtime.storage.read_bytes("seed/clip-0.json"))
    assert meta["plan"] == clip.plan and meta["fingerprint"]
    again = ensure_seed_clips(runtime, 1, size=(160, 288), seconds=1)
    assert again == [clip]

    del meta["plan"], meta["prompt"]
    runtime.storage.put_bytes("seed/clip-0.json", json.dumps(meta).encode())
    (rendered,) = ensure_seed_clips(runtime, 1, size=(160, 288), seconds=1)
    assert rendered.plan["shots"] and rendered.prompt
