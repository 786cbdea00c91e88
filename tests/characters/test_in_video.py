"""A verified person appears in a rendered video: a figure with their own face, speaking
with a voice matched to their recording."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from cameo_check import SAME_PERSON, face_on, figure_at, frames_of, portrait_descriptor
from character_steps import verified_person
from fastapi.testclient import TestClient


@pytest.mark.slow
def test_a_verified_person_appears_in_a_rendered_video(
    make_user,
    api_client,
    clips: Callable[..., Path],  # type: ignore[no-untyped-def]
) -> None:
    owner: TestClient = api_client(make_user("eileen"))
    friend: TestClient = api_client(make_user("friend"))
    found = verified_person(owner, clips, handle="eileen", name="Eileen")
    owner.put(f"/api/characters/{found['id']}/permission", json={"level": "everyone"})

    def render(prompt: str) -> tuple[dict, list[np.ndarray]]:  # type: ignore[type-arg]
        response = friend.post(
            "/api/generations",
            json={"prompt": prompt, "seconds": 2, "size": "288x512", "seed": 11},
        )
        assert response.status_code == 202, response.text
        job = friend.get(f"/api/generations/{response.json()['generation']['id']}").json()
        assert job["status"] == "completed", str(job)
        video = friend.get(f"/api/videos/{job['video_id']}").json()
        content = friend.get(f"/api/videos/{job['video_id']}/content").content
        return video, frames_of(content)

    video, frames = render('@eileen stands in a park at noon and says "hello everyone"')
    cameo = [s for shot in video["plan"]["shots"] for s in shot["subjects"] if s.get("character")]
    assert cameo and cameo[0]["character"] == "eileen" and cameo[0]["name"] == "Eileen"
    assert any(line["speaker"] == "Eileen" for line in video["transcript"])

    plain, plain_frames = render('a person stands in a park at noon and says "hello everyone"')

    # Her own face is in the picture, on her figure: the face pipeline finds it there and
    # knows it is her; the stranger in the same scene is not her.
    known = portrait_descriptor()

    def her_face_in(plan: dict, images: list[np.ndarray], subject_id: str) -> bool:  # type: ignore[type-arg]
        index = len(images) // 2
        figure = figure_at(plan, subject_id, index)
        assert figure is not None
        seen = face_on(images[index], figure, known)
        return seen is not None and seen.distance < SAME_PERSON

    assert her_face_in(video["plan"], frames, cameo[0]["id"])
    stranger = plain["plan"]["shots"][0]["subjects"][0]
    assert not her_face_in(plain["plan"], plain_frames, stranger["id"])
