"""Captions: the ``captions`` option burns the dialogue into the picture, and every video
has its dialogue as a WebVTT track that only those who may see the video can read."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import av
import numpy as np
import pytest
from fastapi.testclient import TestClient

from kinema.accounts.models import User
from kinema.db import transaction, utcnow
from kinema.runtime import Runtime
from kinema.studio import service
from kinema.studio.captions import caption_cues, webvtt
from kinema.studio.models import Generation

SPOKEN = 'a fox in a forest says "Hello there, my good friend!"'
TINY = {"seconds": 2, "size": "256x256", "seed": 11}
CUE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$")


@pytest.fixture
def queued_only(runtime: Runtime) -> Iterator[Runtime]:
    """Jobs go into the real queue, but nothing consumes it during the test."""
    runtime.huey.immediate = False
    yield runtime
    runtime.huey.flush()


def _render(client: TestClient, prompt: str, **options: object) -> dict[str, object]:
    """Make a video (Huey runs in immediate mode) and return it as the API shows it."""
    answer = client.post("/api/generations", json={"prompt": prompt, **TINY, **options})
    assert answer.status_code == 202, answer.text
    generation = client.get(f"/api/generations/{answer.json()['generation']['id']}").json()
    assert generation["status"] == "completed", generation
    video = client.get(f"/api/videos/{generation['video_id']}").json()
    assert isinstance(video, dict)
    return video


def _frame_at(mp4: bytes, seconds: float) -> np.ndarray:
    with av.open(io.BytesIO(mp4)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            if frame.time is not None and frame.time >= seconds:
                return frame.to_ndarray(format="rgb24").astype(np.float32)
    raise AssertionError(f"no frame at {seconds} s")


def _seconds(parts: tuple[str, ...]) -> float:
    hours, minutes, whole, millis = (int(p) for p in parts)
    return hours * 3600 + minutes * 60 + whole + millis / 1000


def test_captions_option_is_kept_with_the_job(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    client = api_client(make_user("alice"))
    plain = client.post("/api/generations", json={"prompt": SPOKEN}).json()["generation"]
    assert plain["captions"] is False
    answer = client.post("/api/generations", json={"prompt": SPOKEN, "captions": True})
    assert answer.status_code == 202, answer.text
    generation_id = answer.json()["generation"]["id"]
    assert answer.json()["generation"]["captions"] is True
    assert client.get(f"/api/generations/{generation_id}").json()["captions"] is True

    # A worker dies with the job; the job queued again still asks for captions.
    runtime = queued_only
    assert service.claim_generation(runtime, generation_id) == 1
    later = utcnow() + timedelta(seconds=runtime.settings.job_timeout_seconds + 5)
    assert generation_id in service.recover_stalled_generations(runtime, now=later).requeued
    with transaction(runtime.sessions) as session:
        row = session.get(Generation, generation_id)
        assert row is not None and row.captions is True and row.status == "queued"


@pytest.mark.parametrize("value", ["yes", 1, "true", None, [True]])
def test_captions_must_be_a_boolean(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    value: object,
) -> None:
    client = api_client(make_user("alice"))
    response = client.post("/api/generations", json={"prompt": SPOKEN, "captions": value})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert "captions" in error["message"]
    assert len(queued_only.huey) == 0


@pytest.mark.slow
def test_burned_in_captions_and_the_webvtt_track(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    client: TestClient,
) -> None:
    alice_user, bob_user = make_user("alice"), make_user("bob")
    alice, bob = api_client(alice_user), api_client(bob_user)
    captioned = _render(alice, SPOKEN, captions=True)
    plain = _render(alice, SPOKEN)
    assert captioned["plan"]["captions"] is True  # type: ignore[index]
    assert plain["plan"]["captions"] is False  # type: ignore[index]

    # The track: served as WebVTT, the line timed as it is spoken, its speaker named.
    assert captioned["captions_url"] == f"/api/videos/{captioned['id']}/captions.vtt"
    assert captioned["captions_language"] == "en"
    response = alice.get(str(captioned["captions_url"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/vtt; charset=utf-8"
    assert response.headers["cache-control"] == "private, no-cache"  # a draft
    lines = response.text.split("\n")
    assert lines[0] == "WEBVTT"
    timings = [CUE.match(line) for line in lines]
    cues = [m for m in timings if m]
    assert len(cues) == 1
    start, end = _seconds(cues[0].groups()[:4]), _seconds(cues[0].groups()[4:])
    assert 0 <= start < end <= float(captioned["seconds"])  # type: ignore[arg-type]
    assert "<v The fox>Hello there, my good friend!</v>" in lines
    transcript = captioned["transcript"][0]  # type: ignore[index]
    assert (start, end) == (round(transcript["start"], 3), round(transcript["end"], 3))

    # The burned-in line changes the bottom of the picture while it is spoken, and
    # hardly anything else.
    middle = (start + end) / 2
    with_text = _frame_at(alice.get(str(captioned["content_url"])).content, middle)
    without = _frame_at(alice.get(str(plain["content_url"])).content, middle)
    height = with_text.shape[0]
    bottom = np.abs(with_text - without)[int(height * 0.78) : int(height * 0.95)].mean()
    top = np.abs(with_text - without)[: int(height * 0.5)].mean()
    assert bottom > 4.0 and bottom > 5 * top, (bottom, top)

    # A draft's track is its author's alone, like the draft itself.
    assert bob.get(str(captioned["captions_url"])).status_code == 404
    assert client.get(str(captioned["captions_url"])).status_code == 404
    published = alice.post(f"/api/videos/{captioned['id']}/publish", json={})
    assert published.status_code == 200
    shared = client.get(str(captioned["captions_url"]))
    assert shared.status_code == 200 and shared.text == response.text
    assert shared.headers["cache-control"] == "public, max-age=3600"
    # Someone the author blocked sees neither the video nor its track.
    assert alice.post("/api/users/bob/block").status_code == 200
    assert bob.get(f"/api/videos/{captioned['id']}").status_code == 404
    assert bob.get(str(captioned["captions_url"])).status_code == 404

    # A video where nobody speaks has an empty but valid track, and no language.
    silent = _render(alice, "a red car drives through a city at night")
    assert silent["captions_language"] is None
    empty = alice.get(str(silent["captions_url"]))
    assert empty.status_code == 200 and empty.text == "WEBVTT\n"


def test_webvtt_escapes_text_and_marks_speakers_and_languages() -> None:
    transcript = [
        {
            "speaker": "fox",
            "text": "Tom & Jerry <3\n--> go",
            "language": "en",
            "start": 0.5,
            "end": 2.25,
        },
        {"speaker": "owl", "text": "Bonjour, renard.", "language": "fr", "start": 2.4, "end": 3.1},
        {"speaker": "narrator", "text": "And so on.", "language": "en", "start": 3.2, "end": 61.5},
    ]
    assert webvtt(caption_cues(transcript, {}, 90)) == (
        "WEBVTT\n\n"
        "1\n00:00:00.500 --> 00:00:02.250\n<v Fox>Tom &amp; Jerry &lt;3 --&gt; go</v>\n\n"
        "2\n00:00:02.400 --> 00:00:03.100\n<v Owl><lang fr>Bonjour, renard.</lang></v>\n\n"
        "3\n00:00:03.200 --> 00:01:01.500\n<v Narrator>And so on.</v>\n"
    )


def test_videos_without_timed_lines_get_their_lines_spread_over_the_shot() -> None:
    plan = {
        "shots": [
            {"start": 0, "duration": 3, "subjects": [], "dialogue": []},
            {
                "start": 3,
                "duration": 4,
                "subjects": [{"id": "s1", "noun": "owl", "name": "Olga"}],
                "dialogue": [
                    {"text": "Who goes there?", "speaker": "s1", "language": "cmn"},
                    {"text": "Only me.", "speaker": None, "language": "cmn"},
                ],
            },
        ]
    }
    cues = caption_cues([{"speaker": "Olga", "text": "Who goes there?"}], plan, 7)
    assert [(c.start, c.end, c.speaker, c.language) for c in cues] == [
        (3.0, 5.0, "Olga", "zh"),
        (5.0, 7.0, "Narrator", "zh"),
    ]
    # Neither timings nor a plan: the transcript spread over the whole video.
    spread = caption_cues([{"text": "One."}, {"text": "Two."}], None, 4)
    assert [(c.start, c.end, c.text) for c in spread] == [(0, 2, "One."), (2, 4, "Two.")]
