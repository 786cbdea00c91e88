"""A verified person appears in a rendered video: drawn from their own cutout and
speaking with a voice matched to their recording."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from capture_clips import astronaut_portrait
from character_steps import character, submit
from fastapi.testclient import TestClient

from kinema.characters.faces import descriptor_distance, face_models, observe_face


def frames_of(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


@pytest.mark.slow
def test_a_verified_person_appears_in_a_rendered_video(
    make_user,
    api_client,
    clips: Callable[..., Path],  # type: ignore[no-untyped-def]
) -> None:
    owner: TestClient = api_client(make_user("eileen"))
    friend: TestClient = api_client(make_user("friend"))
    ask = owner.post("/api/characters/challenge").json()
    clip = clips("person", phrase=ask["phrase"], turns=ask["turns"])
    created = submit(owner, clip, handle="eileen", name="Eileen", challenge_id=ask["id"])
    found = character(owner, created.json()["character"]["id"])
    assert found["status"] == "verified", found.get("reason")
    owner.put(f"/api/characters/{found['id']}/permission", json={"level": "everyone"})

    def render(prompt: str) -> tuple[dict, list[np.ndarray]]:  # type: ignore[type-arg]
        response = friend.post(
            "/api/generations",
            json={"prompt": prompt, "seconds": 2, "size": "288x512", "seed": 11},
        )
        assert response.status_code == 202, response.text
        job = friend.get(f"/api/generations/{response.json()['generation']['id']}").json()
        assert job["status"] == "completed", job
        video = friend.get(f"/api/videos/{job['video_id']}").json()
        content = friend.get(f"/api/videos/{job['video_id']}/content").content
        return video, frames_of(content)

    video, frames = render('@eileen stands in a park at noon and says "hello everyone"')
    cameo = [s for shot in video["plan"]["shots"] for s in shot["subjects"] if s.get("character")]
    assert cameo and cameo[0]["character"] == "eileen" and cameo[0]["name"] == "Eileen"
    assert any(line["speaker"] == "Eileen" for line in video["transcript"])

    _, plain_frames = render('a person stands in a park at noon and says "hello everyone"')

    # Her own face is in the picture: the face pipeline finds it and knows it is her.
    models = face_models()
    portrait = observe_face(models, astronaut_portrait(), 0.0)
    assert portrait is not None

    def her_face_in(images: list[np.ndarray]) -> bool:
        middle = images[len(images) // 2]
        big = cv2.resize(middle, (middle.shape[1] * 2, middle.shape[0] * 2))
        seen = observe_face(models, big, 0.0, thorough=True)
        return seen is not None and descriptor_distance(seen.descriptor, portrait.descriptor) < 0.6

    assert her_face_in(frames)
    assert not her_face_in(plain_frames)
