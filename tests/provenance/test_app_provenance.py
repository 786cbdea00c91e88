"""Provenance in the app: every rendered video carries the moving watermark with its
author's handle, the invisible video id and signed C2PA content credentials, and
``POST /api/provenance/check`` recognises changed copies of it (and nothing else)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import c2pa
import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data
from synthetic import make_clip, reencode

from kinema.accounts.models import User
from kinema.engines import GenerationRequest, get_engine
from kinema.provenance import read_credentials, read_video_id
from kinema.provenance import service as provenance
from kinema.provenance.signing import TRAINED_ALGORITHMIC_MEDIA
from kinema.provenance.video import iter_frames
from kinema.provenance.watermark import watermark_frame
from kinema.runtime import Runtime
from kinema.studio import service as studio

pytestmark = pytest.mark.slow  # each test renders a video

PROMPT = "a fox runs through a snowy forest at night"
WIDTH, HEIGHT, SECONDS, SEED = 216, 384, 3, 1234


def render(client: TestClient, tmp_path: Path, prompt: str = PROMPT) -> tuple[str, Path]:
    """Render a video through the API; returns its id and the downloaded MP4."""
    made = client.post(
        "/api/generations",
        json={"prompt": prompt, "seconds": SECONDS, "size": f"{WIDTH}x{HEIGHT}", "seed": SEED},
    )
    assert made.status_code == 202, made.text
    job = client.get(f"/api/generations/{made.json()['generation']['id']}").json()
    assert job["status"] == "completed", job
    content = client.get(f"/api/videos/{job['video_id']}/content")
    assert content.status_code == 200
    path = tmp_path / "kinema.mp4"
    path.write_bytes(content.content)
    return str(job["video_id"]), path


def frame_at(path: Path, seconds: float) -> np.ndarray:
    return min(iter_frames(path), key=lambda item: abs(item[0] - seconds))[1]


def check(client: TestClient, path: Path, name: str = "copy.mp4") -> dict[str, object]:
    response = client.post(
        "/api/provenance/check",
        files={"file": (name, path.read_bytes(), "application/octet-stream")},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_rendered_video_and_its_thumbnail_carry_watermark_hidden_id_and_credentials(
    runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    tmp_path: Path,
) -> None:
    alice = api_client(make_user("alice"))
    video_id, marked = render(alice, tmp_path)

    # The same request rendered without provenance (the engine is deterministic for a
    # seed): what differs is the mark.
    plain = get_engine("procedural").generate(
        GenerationRequest(
            prompt=PROMPT,
            output=tmp_path / "plain.mp4",
            seconds=SECONDS,
            width=WIDTH,
            height=HEIGHT,
            fps=24,
            seed=SEED,
        ),
        lambda stage, fraction: None,
    )
    regions = []
    for t in (0.5, 2.5):  # resting top-left, then resting top-right
        expected = watermark_frame(np.zeros((HEIGHT, WIDTH, 3), np.uint8), t, "alice").max(axis=2)
        region = cv2.dilate((expected > 0).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        difference = np.abs(
            frame_at(marked, t).astype(np.int16) - frame_at(plain.video_path, t).astype(np.int16)
        ).max(axis=2)
        inside, outside = difference[region].mean(), difference[~region].mean()
        assert inside > 25 and inside > 5 * outside, (t, inside, outside)
        regions.append((region, difference))
    (first, _), (second, later_difference) = regions
    assert (first & second).sum() < 0.2 * first.sum()  # the mark moved...
    assert later_difference[first & ~second].mean() < 10  # ...and left no trace behind

    # The stored thumbnail is a still of the marked video: the mark is where the video
    # shows it at the poster's moment (a third of the way in, as the engine's own poster).
    video = alice.get(f"/api/videos/{video_id}").json()
    thumb = alice.get(video["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumb.content)) as image:
        poster = np.asarray(image.convert("RGB"))
    with Image.open(plain.thumbnail_path) as image:
        unmarked_poster = np.asarray(image.convert("RGB"))
    assert poster.shape == unmarked_poster.shape == (HEIGHT, WIDTH, 3)
    poster_time = (SECONDS * 24 // 3) / 24
    expected = watermark_frame(np.zeros((HEIGHT, WIDTH, 3), np.uint8), poster_time, "alice")
    region = cv2.dilate((expected.max(axis=2) > 0).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    difference = np.abs(poster.astype(np.int16) - unmarked_poster.astype(np.int16)).max(axis=2)
    inside, outside = difference[region].mean(), difference[~region].mean()
    assert inside > 25 and inside > 5 * outside, (inside, outside)
    assert np.abs(poster.astype(np.int16) - frame_at(marked, poster_time)).mean() < 6

    # The invisible mark names the video.
    assert read_video_id(marked) == video_id

    # Signed content credentials: made by a trained algorithm with Kinema, by @alice.
    with open(marked, "rb") as stream, c2pa.Reader("video/mp4", stream) as reader:
        report = json.loads(reader.json())
    manifest = report["manifests"][report["active_manifest"]]
    assert manifest["claim_generator_info"][0]["name"] == "Kinema"
    actions = [a for a in manifest["assertions"] if a["label"].startswith("c2pa.actions")]
    created = actions[0]["data"]["actions"][0]
    assert created["action"] == "c2pa.created"
    assert created["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    credentials = read_credentials(
        marked, trust_ca=runtime.settings.data_dir / "keys" / "c2pa" / "c2pa_ca.pem"
    )
    assert credentials is not None
    assert credentials.author == "@alice"
    assert credentials.signature_valid and credentials.trusted


def test_check_recognises_copies_and_nothing_else(
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    client: TestClient,
    tmp_path: Path,
) -> None:
    alice = api_client(make_user("alice"))
    bob = api_client(make_user("bob"))
    video_id, original = render(alice, tmp_path)

    half = reencode(original, tmp_path / "half.mp4", scale=0.5, video_bitrate=150_000)
    excerpt = reencode(original, tmp_path / "excerpt.mp4", start=0.6, end=2.6)
    still = tmp_path / "still.jpg"
    cv2.imwrite(str(still), cv2.cvtColor(frame_at(original, 1.2), cv2.COLOR_RGB2BGR))

    for copy in (half, excerpt, still):
        answer = check(alice, copy, copy.name)
        assert answer["match"] is True and answer["video_id"] == video_id, (copy.name, answer)
        assert float(answer["similarity"]) >= 0.5  # type: ignore[arg-type]
    assert check(alice, original)["signed_here"] is True

    # A draft is only named to its author; others learn that it came from here.
    for outsider in (bob, client):
        answer = check(outsider, half)
        assert answer["match"] is True and answer["video_id"] is None
    assert alice.post(f"/api/videos/{video_id}/publish").status_code == 200
    assert check(client, half)["video_id"] == video_id

    # Unrelated clips and pictures match nothing.
    for seed in (41, 42):
        stranger = make_clip(tmp_path / f"stranger{seed}.mp4", seed, seconds=2.5)
        answer = check(client, stranger)
        assert answer["match"] is False and answer["video_id"] is None, answer
    photo = tmp_path / "coffee.png"
    cv2.imwrite(str(photo), cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR))
    assert check(client, photo, "coffee.png")["match"] is False

    # With many stored videos a picture index shortlists candidates: same answers.
    monkeypatch.setattr(provenance, "FULL_SCAN_LIMIT", 0)
    for copy in (half, excerpt, still):
        assert check(alice, copy, copy.name)["video_id"] == video_id, copy.name
    assert check(alice, stranger)["match"] is False


def test_check_refuses_bad_files_plainly(
    runtime: Runtime, client: TestClient, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video at all" * 100)
    response = client.post("/api/provenance/check", files={"file": ("junk.mp4", junk.read_bytes())})
    assert response.status_code == 400
    assert "video" in response.json()["error"]["message"]
    empty = client.post("/api/provenance/check", files={"file": ("e.mp4", b"")})
    assert empty.status_code == 400
    runtime.settings.max_video_upload_bytes = 1000
    big = client.post("/api/provenance/check", files={"file": ("b.mp4", io.BytesIO(b"0" * 5000))})
    assert big.status_code == 413


def test_refused_dialogue_fails_the_job_without_a_video(
    runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    tmp_path: Path,
) -> None:
    alice_user = make_user("alice")
    alice = api_client(alice_user)
    video_id, _ = render(alice, tmp_path, 'a parrot in the park says "good morning!"')
    plan = alice.get(f"/api/videos/{video_id}").json()["plan"]
    lines = [line for shot in plan["shots"] for line in shot.get("dialogue", [])]
    assert lines, "the parrot should speak"
    lines[0]["text"] = "go kill yourself, nobody would miss you"
    with runtime.sessions() as session:
        generation = studio.request_generation(
            session,
            runtime,
            alice_user,
            prompt="a parrot in the park",
            seconds=SECONDS,
            size=f"{WIDTH}x{HEIGHT}",
            plan=plan,
        )
        generation_id = generation.id
        session.commit()
    job = alice.get(f"/api/generations/{generation_id}").json()
    assert job["status"] == "failed"
    assert job["video_id"] is None
    assert "self-harm" in job["error"] or "harass" in job["error"]
    drafts = alice.get("/api/me/drafts").json()["items"]
    assert [d["id"] for d in drafts] == [video_id]


def test_checks_are_rate_limited_per_caller(
    runtime: Runtime, client: TestClient, tmp_path: Path
) -> None:
    photo = tmp_path / "coffee.png"
    cv2.imwrite(str(photo), cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR))
    answers = [
        client.post("/api/provenance/check", files={"file": ("c.png", photo.read_bytes())})
        for _ in range(12)
    ]
    codes = [answer.status_code for answer in answers]
    assert codes[:10] == [200] * 10 and codes[-1] == 429
