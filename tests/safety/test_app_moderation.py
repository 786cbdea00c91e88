"""Moderation in the app: prompts, captions, comments and uploaded images are checked
where people submit them; refusals answer 400 ``moderation_blocked`` with a category and
a sentence, are recorded for the administrators, and cost no quota."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data

from kinema.accounts.models import User
from kinema.db import transaction
from kinema.engines.base import GenerationRequest
from kinema.engines.procedural.engine import ProceduralEngine
from kinema.provenance.video import iter_frames
from kinema.runtime import Runtime
from kinema.safety import images
from kinema.safety import service as safety_service
from kinema.safety.images import Detection
from kinema.studio.models import Generation

TINY = {"seconds": 1, "size": "160x288"}


@pytest.fixture
def queued_only(runtime: Runtime) -> Iterator[Runtime]:
    """Jobs go into the real queue, but nothing consumes it during the test."""
    runtime.huey.immediate = False
    yield runtime
    runtime.huey.flush()


def count_generations(runtime: Runtime) -> int:
    with transaction(runtime.sessions) as session:
        return session.query(Generation).count()


def png(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, "PNG")
    return out.getvalue()


def assert_blocked(response: object, category: str) -> None:
    assert response.status_code == 400, response.text  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "moderation_blocked"
    assert error["category"] == category
    assert error["message"].endswith(".") and "Kinema" in error["message"]


def test_refused_prompt_costs_no_quota_and_is_recorded(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    queued_only.settings.daily_generations = 1
    alice = api_client(make_user("alice"))
    admin = api_client(make_user("root", is_admin=True))

    refused = alice.post("/api/generations", json={"prompt": "a naked woman posing in bed"})
    assert_blocked(refused, "sexual")
    assert count_generations(queued_only) == 0
    # The refusal did not use up the one generation of the day.
    allowed = alice.post("/api/generations", json={"prompt": "a cat surfing at sunset"})
    assert allowed.status_code == 202, allowed.text
    # Refused even at the limit: the refusal is the answer, not the quota.
    assert_blocked(
        alice.post("/api/generations", json={"prompt": "how to build a pipe bomb"}),
        "weapons_terror",
    )
    assert alice.post("/api/generations", json={"prompt": "a dog"}).status_code == 429
    assert count_generations(queued_only) == 1

    refusals = admin.get("/api/moderation/refusals").json()["items"]
    assert [r["category"] for r in refusals] == ["weapons_terror", "sexual"]
    assert refusals[1]["context"] == "prompt" and "naked" in refusals[1]["excerpt"]
    # Only administrators read them.
    assert alice.get("/api/moderation/refusals").status_code == 403


def test_sexual_content_with_minors_is_flagged_for_admins(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    alice = api_client(make_user("alice"))
    admin = api_client(make_user("root", is_admin=True))
    assert_blocked(
        alice.post("/api/generations", json={"prompt": "a 14 year old girl in lingerie"}),
        "sexual_minors",
    )
    flagged = admin.get("/api/moderation/refusals", params={"flagged": True}).json()["items"]
    assert len(flagged) == 1 and flagged[0]["category"] == "sexual_minors"
    assert flagged[0]["user_id"] == alice.get("/api/me").json()["user"]["id"]


@pytest.mark.parametrize(
    "prompt",
    [
        "a barista pulls a shot of espresso",
        "a comedian killing it on stage",
        "a naked mole rat digging a tunnel",
        "a pink ribbon walk for breast cancer awareness",
        "kids building a sandcastle at the beach",
    ],
)
def test_ordinary_prompts_that_look_risky_pass(
    prompt: str,
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    alice = api_client(make_user("alice"))
    response = alice.post("/api/generations", json={"prompt": prompt})
    assert response.status_code == 202, response.text


def test_public_figures_are_refused_including_ones_admins_add(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    alice = api_client(make_user("alice"))
    admin = api_client(make_user("root", is_admin=True))
    assert_blocked(
        alice.post("/api/generations", json={"prompt": "Taylor Swift dancing in the rain"}),
        "public_figure",
    )
    prompt = {"prompt": "Mayor Quentin Zabriskie waves at the parade"}
    assert alice.post("/api/generations", json=prompt).status_code == 202
    added = admin.post(
        "/api/moderation/public-figures", json={"entry": "Quentin Zabriskie|Mayor Zabriskie"}
    )
    assert added.status_code == 201, added.text
    assert_blocked(alice.post("/api/generations", json=prompt), "public_figure")
    # Only administrators add names.
    assert (
        alice.post("/api/moderation/public-figures", json={"entry": "Some One"}).status_code == 403
    )


def test_uploaded_photo_of_a_real_face_needs_a_verified_character(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    alice = api_client(make_user("alice"))
    face = alice.post(
        "/api/uploads", files={"file": ("me.png", png(data.astronaut()), "image/png")}
    )
    assert_blocked(face, "likeness")
    assert "verified character" in face.json()["error"]["message"]
    # A picture without a person is fine.
    coffee = alice.post(
        "/api/uploads", files={"file": ("cup.png", png(data.coffee()), "image/png")}
    )
    assert coffee.status_code == 201, coffee.text


def test_uploaded_nudity_is_refused(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No nude picture ships with the tests: the detector's answer is given instead, and
    # everything after it (verdict, refusal, response) is the real path.
    monkeypatch.setattr(
        images, "detect", lambda image: [Detection("FEMALE_BREAST_EXPOSED", 0.9, (4, 4, 20, 20))]
    )
    alice = api_client(make_user("alice"))
    picture = cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR)
    ok, encoded = cv2.imencode(".jpg", picture)
    assert ok
    response = alice.post(
        "/api/uploads", files={"file": ("x.jpg", encoded.tobytes(), "image/jpeg")}
    )
    assert_blocked(response, "sexual")


@pytest.mark.slow
def test_captions_and_comments_are_moderated(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    alice = api_client(make_user("alice"))
    bob = api_client(make_user("bob"))
    made = alice.post("/api/generations", json={"prompt": "a dog running in a park", **TINY})
    video_id = alice.get(f"/api/generations/{made.json()['generation']['id']}").json()["video_id"]
    assert video_id

    refused = alice.post(f"/api/videos/{video_id}/publish", json={"caption": "kill yourself"})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "moderation_blocked"
    assert alice.get(f"/api/videos/{video_id}").json()["status"] == "draft"  # nothing changed
    published = alice.post(f"/api/videos/{video_id}/publish", json={"caption": "Good boy!"})
    assert published.status_code == 200

    comment = bob.post(f"/api/videos/{video_id}/comments", json={"text": "kys loser"})
    assert_blocked(comment, "hate_harassment")
    assert bob.get(f"/api/videos/{video_id}/comments").json()["items"] == []
    fine = bob.post(f"/api/videos/{video_id}/comments", json={"text": "So cute, love the ending!"})
    assert fine.status_code == 201, fine.text


def test_rendered_frames_need_a_strong_or_corroborated_nudity_detection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kinema.safety import service

    frame = np.zeros((64, 64, 3), np.uint8)
    exposed = Detection("FEMALE_BREAST_EXPOSED", 0.6, (0, 0, 30, 30))

    def seen(*detections: Detection) -> bool:
        monkeypatch.setattr(service, "detect", lambda image: list(detections))
        return not service.check_rendered_frames([frame, frame]).allowed

    # A drawn night sky once read as skin: alone and unsure, it does not refuse a video.
    assert not seen(exposed, exposed)
    # Snowy clouds read as a breast and a belly at once: still no person.
    assert not seen(exposed, Detection("BELLY_EXPOSED", 0.7, (0, 30, 30, 30)))
    assert not seen(exposed, Detection("BUTTOCKS_EXPOSED", 0.3, (0, 30, 30, 30)))
    assert seen(exposed, Detection("FACE_FEMALE", 0.7, (30, 0, 20, 20)))
    assert seen(exposed, Detection("FEMALE_GENITALIA_EXPOSED", 0.5, (0, 30, 30, 30)))
    assert seen(Detection("FEMALE_GENITALIA_EXPOSED", 0.9, (0, 0, 30, 30)))
    assert not seen(Detection("FACE_MALE", 0.9, (0, 0, 30, 30)))


@pytest.mark.parametrize("seed", [1, 10, 26])
def test_a_fox_in_the_snow_is_not_taken_for_nudity(tmp_path: Path, seed: int) -> None:
    # These seeds drew clouds the detector read as a breast and a belly, and the job
    # failed with "Kinema doesn't accept or make images with nudity."
    request = GenerationRequest(
        prompt="a red fox in the snow",
        output=tmp_path / "fox.mp4",
        seconds=1,
        width=160,
        height=288,
        seed=seed,
    )
    result = ProceduralEngine().generate(request)
    frames = [rgb for _, rgb in iter_frames(result.video_path, every=1.0)]
    assert safety_service.check_rendered_frames(frames).allowed
