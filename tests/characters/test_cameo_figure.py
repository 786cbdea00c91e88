"""A verified person acts as themselves: whatever the prompt has them do, the video
shows a whole figure doing it with their own face, in every frame."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cameo_check import (
    SAME_PERSON,
    body_motion,
    cameo_subjects,
    face_on,
    figure_at,
    frames_of,
    portrait_descriptor,
)
from character_steps import verified_person, verified_pet
from fastapi.testclient import TestClient
from PIL import Image

pytestmark = pytest.mark.slow


@pytest.fixture
def cast(make_user, api_client, clips: Callable[..., Path]) -> dict[str, TestClient]:  # type: ignore[no-untyped-def]
    """Eileen, verified and open to everyone, and a friend who puts her in videos."""
    owner: TestClient = api_client(make_user("eileen"))
    friend: TestClient = api_client(make_user("friend"))
    found = verified_person(owner, clips, handle="eileen", name="Eileen")
    owner.put(f"/api/characters/{found['id']}/permission", json={"level": "everyone"})
    return {"owner": owner, "friend": friend}


def render(client: TestClient, prompt: str, seconds: float = 3) -> tuple[dict[str, Any],
                                                                          list[np.ndarray]]:
    response = client.post(
        "/api/generations",
        json={"prompt": prompt, "seconds": seconds, "size": "288x512", "seed": 5},
    )
    assert response.status_code == 202, response.text
    job = client.get(f"/api/generations/{response.json()['generation']['id']}").json()
    assert job["status"] == "completed", job
    video = client.get(f"/api/videos/{job['video_id']}").json()
    return video, frames_of(client.get(f"/api/videos/{job['video_id']}/content").content)


@pytest.mark.parametrize(
    ("prompt", "action"),
    [("@eileen dances in the rain on a rooftop", "dance"),
     ("@eileen walks on the beach at sunset", "walk"),
     ("@eileen sits in a cozy cafe and says \"Good morning everyone!\"", "sit"),
     ("@eileen rides a bicycle down the street", "ride"),
     ("@eileen runs through the park", "run"),
     ("@eileen waves hello from the beach", "wave")],
)
def test_her_face_is_on_a_body_that_acts_in_every_frame(
    cast: dict[str, TestClient], prompt: str, action: str
) -> None:
    video, frames = render(cast["friend"], prompt)
    [subject] = cameo_subjects(video["plan"], "eileen")
    # A rider is drawn riding what she is on (her action stays her own: idle).
    done = "ride" if subject.get("relation") == "on" else subject["action"]
    assert done == action and subject["name"] == "Eileen"
    known = portrait_descriptor()
    indexes = list(range(1, len(frames), 4))
    figures = [figure_at(video["plan"], subject["id"], i) for i in indexes]
    assert all(figures)
    faces = [face_on(frames[i], f, known) for i, f in zip(indexes, figures, strict=True) if f]
    missing = [indexes[k] for k, face in enumerate(faces) if face is None]
    assert not missing, f"no face in frames {missing} of {len(frames)}"
    distances = [face.distance for face in faces if face is not None]
    assert max(distances) < SAME_PERSON, distances
    if action in ("dance", "walk", "run"):
        # Her body moves under her face, more than the rain or the sea around her.
        moving, around = body_motion([frames[i] for i in indexes], [f for f in figures if f])
        assert moving > 2 * around + 1.0, (moving, around)


def _bins(pixels: np.ndarray) -> np.ndarray:
    """Share of ``pixels`` (n, 3) in each of 6x6x6 colour bins."""
    index = (pixels // 43).astype(int) @ np.array([36, 6, 1])
    return np.bincount(index, minlength=216) / max(1, len(pixels))


def test_a_pet_keeps_its_own_look_when_it_walks(
    make_user, api_client, clips: Callable[..., Path]  # type: ignore[no-untyped-def]
) -> None:
    owner: TestClient = api_client(make_user("chelsea_owner"))
    pet = verified_pet(owner, clips("pet"), "chelsea")
    video, frames = render(owner, "@chelsea walks in the park at noon", seconds=2)
    [subject] = cameo_subjects(video["plan"], "chelsea")
    assert subject["action"] == "walk"
    _plain, plain = render(owner, "a cat walks in the park at noon", seconds=2)
    # The colours of the cat's own cutout that the scene with a generic cat lacks are in
    # every frame of her video.
    cutout = np.asarray(
        Image.open(io.BytesIO(owner.get(f"/api/characters/{pet['id']}/cutout").content))
        .convert("RGBA")
    )
    fur = _bins(cutout[cutout[..., 3] > 200][:, :3])
    scene = _bins(np.concatenate([f.reshape(-1, 3) for f in plain[::4]]))
    signature = (fur > 0.01) & (scene < 0.0005)
    assert fur[signature].sum() > 0.04  # the cat has colours of its own

    def own_colours(frame: np.ndarray) -> int:
        return int(signature[(frame.reshape(-1, 3) // 43).astype(int) @ np.array([36, 6, 1])].sum())

    ours = [own_colours(frame) for frame in frames[::4]]
    theirs = [own_colours(frame) for frame in plain[::4]]
    assert min(ours) > 150 and min(ours) > 3 * max(theirs), (ours, theirs)
