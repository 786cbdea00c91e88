"""The OpenAI-compatible Videos API, driven by the real ``openai`` SDK against the app
in-process (a Starlette ``TestClient`` is an ``httpx.Client``, which the SDK accepts)."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np
import openai
import pytest
from openai import OpenAI
from PIL import Image

from kinema.db import transaction
from kinema.engines.base import InvalidRequest

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from kinema.accounts.models import User
    from kinema.runtime import Runtime

# The SDK marks its Videos methods deprecated (the hosted service closed); that is the
# point of this API, so the warning is noise here.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SIZE = "256x144"  # tiny renders keep the suite fast


@pytest.fixture
def openai_client(app: FastAPI, runtime: Runtime) -> Iterator[Callable[..., OpenAI]]:
    """``openai_client(user)``: the official SDK pointed at this app with a Kinema API key
    of ``user`` (or any ``api_key=`` string)."""
    from fastapi.testclient import TestClient

    from kinema.accounts import service

    opened: list[TestClient] = []

    def _make(user: User | None = None, *, api_key: str | None = None) -> OpenAI:
        if api_key is None:
            assert user is not None
            with transaction(runtime.sessions) as session:
                _key, api_key = service.create_api_key(session, user_id=user.id, name="sdk")
        http = TestClient(app, base_url="http://testserver")
        opened.append(http)
        return OpenAI(
            base_url="http://testserver/v1", api_key=api_key, http_client=http, max_retries=0
        )

    yield _make
    for http in opened:
        http.close()


def _decode(mp4: bytes) -> tuple[float, int, int, bool, int]:
    """(duration in seconds, width, height, has audio, frame count) of an MP4."""
    with av.open(io.BytesIO(mp4)) as container:
        video = container.streams.video[0]
        has_audio = bool(container.streams.audio)
        frames = sum(1 for _ in container.decode(video))
        duration = float(container.duration or 0) / av.time_base
        return duration, video.codec_context.width, video.codec_context.height, has_audio, frames


def _frames(mp4: bytes) -> list[np.ndarray]:
    """Every frame of an MP4 as a float RGB array."""
    with av.open(io.BytesIO(mp4)) as container:
        return [frame.to_ndarray(format="rgb24").astype(np.float32)
                for frame in container.decode(container.streams.video[0])]


def _png(color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, format="PNG")
    return buffer.getvalue()


# --- no rendering needed ---------------------------------------------------------------


def test_bad_or_missing_key_raises_authentication_error(
    openai_client: Callable[..., OpenAI], make_user: Callable[..., User]
) -> None:
    client = openai_client(api_key="kin_not-a-real-key")
    with pytest.raises(openai.AuthenticationError) as caught:
        client.videos.retrieve("gen_whatever")
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    body = caught.value.body
    assert isinstance(body, dict) and body["type"] == "invalid_request_error"

    with pytest.raises(openai.AuthenticationError):
        client.videos.list()


def test_unknown_and_other_peoples_videos_are_not_found(
    openai_client: Callable[..., OpenAI], make_user: Callable[..., User], runtime: Runtime
) -> None:
    runtime.huey.immediate = False  # leave jobs queued: nothing here needs a render
    alice = openai_client(make_user("alice"))
    bob = openai_client(make_user("bob"))
    video = alice.videos.create(prompt="a cat on a beach", seconds="1", size=SIZE)

    for client, video_id in ((alice, "gen_doesnotexist"), (bob, video.id)):
        with pytest.raises(openai.NotFoundError) as caught:
            client.videos.retrieve(video_id)
        assert caught.value.status_code == 404
        with pytest.raises(openai.NotFoundError):
            client.videos.download_content(video_id)
        with pytest.raises(openai.NotFoundError):
            client.videos.delete(video_id)
        with pytest.raises(openai.NotFoundError):
            client.videos.remix(video_id, prompt="make it night")
    assert alice.videos.retrieve(video.id).status == "queued"
    assert [v.id for v in bob.videos.list()] == []


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"seconds": "30"}, "seconds"),
        ({"seconds": "soon"}, "seconds"),
        ({"size": "999x999"}, "size"),
        ({"size": "big"}, "size"),
        ({"prompt": "   "}, "prompt"),
    ],
)
def test_invalid_parameters_are_bad_requests_naming_the_parameter(
    openai_client: Callable[..., OpenAI],
    make_user: Callable[..., User],
    kwargs: dict[str, str],
    param: str,
) -> None:
    client = openai_client(make_user("alice"))
    arguments = {"prompt": "a dog", "seconds": "1", "size": SIZE, **kwargs}
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(**arguments)  # type: ignore[arg-type]
    assert caught.value.status_code == 400
    assert caught.value.param == param
    assert client.videos.list().data == []


def test_list_pages_through_every_video_in_order(
    openai_client: Callable[..., OpenAI], make_user: Callable[..., User], runtime: Runtime
) -> None:
    runtime.huey.immediate = False  # queued jobs are enough to list
    client = openai_client(make_user("alice"))
    made = [
        client.videos.create(prompt=f"a cat on a beach, take {i}", seconds="1", size=SIZE).id
        for i in range(5)
    ]

    first = client.videos.list(limit=2)
    assert [v.id for v in first.data] == made[::-1][:2]
    assert first.has_more is True
    # The SDK follows the cursor (``after=last_id``) through every page.
    assert [v.id for v in client.videos.list(limit=2)] == made[::-1]
    assert [v.id for v in client.videos.list(limit=2, order="asc")] == made
    last = client.videos.list(limit=2, after=made[1])
    assert [v.id for v in last.data] == [made[0]]
    assert last.has_more is False

    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.list(limit=0)
    assert caught.value.param == "limit"


def test_video_object_has_the_sdk_fields(
    openai_client: Callable[..., OpenAI], make_user: Callable[..., User], runtime: Runtime
) -> None:
    runtime.huey.immediate = False
    client = openai_client(make_user("alice"))
    video = client.videos.create(prompt="a fox in the snow", model="sora-2", seconds="2", size=SIZE)
    assert video.object == "video"
    assert video.id.startswith("gen_")
    assert video.status == "queued"
    assert video.progress == 0
    assert video.prompt == "a fox in the snow"
    assert video.seconds == "2"
    assert video.size == SIZE
    assert video.model == "procedural"  # "sora-2" is not an engine here: the default
    assert video.created_at > 1_700_000_000
    assert video.completed_at is None and video.error is None
    assert video.remixed_from_video_id is None


def test_over_quota_is_a_rate_limit_error(
    openai_client: Callable[..., OpenAI], make_user: Callable[..., User], runtime: Runtime
) -> None:
    runtime.huey.immediate = False
    runtime.settings.daily_generations = 1
    client = openai_client(make_user("alice"))
    client.videos.create(prompt="a dog on a beach", seconds="1", size=SIZE)
    with pytest.raises(openai.RateLimitError) as caught:
        client.videos.create(prompt="a cat in a garden", seconds="1", size=SIZE)
    assert caught.value.status_code == 429
    assert caught.value.code == "insufficient_quota"
    assert "daily limit" in caught.value.message


def _pet_clip() -> bytes:
    """Four seconds of a cat (scikit-image's public-domain ``chelsea``), gently drifting,
    with a low purr: a clip a pet character can be made from."""
    from fractions import Fraction

    import cv2
    from skimage import data

    fps, rate = 12, 48000
    cat = np.ascontiguousarray(cv2.resize(data.chelsea(), (240, 160)))
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 240, 160, "yuv420p"
        audio = container.add_stream("aac", rate=rate)
        audio.layout = "mono"
        for i in range(4 * fps):
            shift = np.float32([[1, 0, 2 * np.sin(i / 6)], [0, 1, 0]])
            frame = cv2.warpAffine(cat, shift, (240, 160), borderMode=cv2.BORDER_REPLICATE)
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        t = np.arange(4 * rate) / rate
        purr = (0.1 * np.sin(2 * np.pi * 110 * t)
                * (0.6 + 0.4 * np.sin(2 * np.pi * 25 * t))).astype(np.float32)
        for start in range(0, len(purr), 1024):
            chunk = purr[start : start + 1024].reshape(1, -1)
            sound = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            sound.sample_rate, sound.pts, sound.time_base = rate, start, Fraction(1, rate)
            for packet in audio.encode(sound):
                container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
    return buffer.getvalue()


def test_characters_need_a_kind_and_people_go_through_verified_capture(
    openai_client: Callable[..., OpenAI], make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    alice = make_user("alice")
    client = openai_client(alice)
    clip = ("rex.mp4", b"\x00" * 64, "video/mp4")

    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create_character(name="Rex", video=clip)
    assert (caught.value.code, caught.value.param) == ("kind_required", "kind")
    assert "verified capture" in caught.value.message
    assert "http://testserver/characters" in caught.value.message

    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create_character(name="Me", video=clip, extra_body={"kind": "person"})
    assert caught.value.code == "verified_capture_required"
    assert "http://testserver/characters" in caught.value.message

    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create_character(name="Rex", video=clip, extra_body={"kind": "dragon"})
    assert caught.value.param == "kind"

    # Not a video at all: refused plainly, naming the parameter.
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create_character(name="Rex", video=clip, extra_body={"kind": "pet"})
    assert (caught.value.code, caught.value.param) == ("unusable_recording", "video")

    assert api_client(alice).get("/api/characters").json()["items"] == []
    with pytest.raises(openai.NotFoundError):
        client.videos.get_character("chr_unknown")


@pytest.mark.slow
def test_pet_character_made_over_the_sdk_stars_in_videos_its_owner_allows(
    openai_client: Callable[..., OpenAI],
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    runtime: Runtime,
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    client, as_bob = openai_client(alice), openai_client(bob)
    clip = _pet_clip()

    made = client.videos.create_character(
        name="Chelsea the Cat", video=("chelsea.mp4", clip, "video/mp4"),
        extra_body={"kind": "pet"},
    )
    assert made.id is not None and made.name == "Chelsea the Cat"
    assert made.created_at > 1_700_000_000
    found = client.videos.get_character(made.id).to_dict()
    assert found["status"] == "verified", found
    assert (found["handle"], found["kind"], found["name"]) == (
        "chelsea_the_cat", "pet", "Chelsea the Cat")
    # The same name again gets a free handle of its own.
    again = client.videos.create_character(
        name="Chelsea the Cat", video=("chelsea.mp4", clip, "video/mp4"),
        extra_body={"kind": "pet"},
    ).to_dict()
    assert again["handle"] == "chelsea_the_cat_2"
    # A handle chosen by the caller must be free.
    with pytest.raises(openai.ConflictError) as conflict:
        client.videos.create_character(
            name="Another", video=("chelsea.mp4", clip, "video/mp4"),
            extra_body={"kind": "pet", "handle": "chelsea_the_cat"},
        )
    assert conflict.value.param == "handle"

    video = client.videos.create_and_poll(
        prompt="@chelsea_the_cat plays in a sunny garden", seconds="1", size=SIZE,
        poll_interval_ms=10,
    )
    assert video.status == "completed", video.error
    [draft] = api_client(alice).get("/api/me/drafts").json()["items"]
    assert [c["handle"] for c in draft["characters"]] == ["chelsea_the_cat"]
    _duration, width, height, has_audio, _count = _decode(
        client.videos.download_content(video.id).read()
    )
    assert (width, height, has_audio) == (256, 144, True)

    # Bob may not use a character that is only Alice's, and cannot even see it.
    with pytest.raises(openai.NotFoundError) as refused:
        as_bob.videos.create(prompt="@chelsea_the_cat naps", seconds="1", size=SIZE)
    assert "@chelsea_the_cat" in refused.value.message
    assert refused.value.code == "unknown_character"
    assert set(refused.value.response.json()["error"]) == {"message", "type", "code", "param"}
    with pytest.raises(openai.NotFoundError):
        as_bob.videos.get_character(made.id)
    assert as_bob.videos.list().data == []

    # Once Alice lets everyone, Bob's prompt is accepted, as in the app.
    allowed = api_client(alice).put(
        f"/api/characters/{made.id}/permission", json={"level": "everyone"}
    )
    assert allowed.status_code == 200, allowed.text
    runtime.huey.immediate = False  # accepting is what is checked; no second render
    queued = as_bob.videos.create(prompt="@chelsea_the_cat naps", seconds="1", size=SIZE)
    assert queued.status == "queued"
    assert as_bob.videos.get_character(made.id).to_dict()["handle"] == "chelsea_the_cat"


# --- with real renders -----------------------------------------------------------------


@pytest.mark.slow
def test_create_and_poll_then_download_every_variant(
    openai_client: Callable[..., OpenAI],
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    alice = make_user("alice")
    client = openai_client(alice)

    video = client.videos.create_and_poll(
        prompt="a red car drives through a city at night",
        seconds="2",
        size=SIZE,
        poll_interval_ms=10,
    )

    assert video.status == "completed", video.error
    assert video.progress == 100
    assert video.completed_at is not None and video.completed_at >= video.created_at
    assert client.videos.retrieve(video.id).status == "completed"

    mp4 = client.videos.download_content(video.id).read()
    duration, width, height, has_audio, frames = _decode(mp4)
    assert (width, height) == (256, 144)
    assert has_audio
    assert 1.8 <= duration <= 2.3
    assert frames >= 40

    thumbnail = client.videos.download_content(video.id, variant="thumbnail").read()
    with Image.open(io.BytesIO(thumbnail)) as image:
        assert image.format == "JPEG"
        assert image.size == (256, 144)

    sheet = client.videos.download_content(video.id, variant="spritesheet").read()
    with Image.open(io.BytesIO(sheet)) as image:
        assert image.format == "JPEG"
        columns, rows = image.width // 192, image.height // 108
        assert (image.width, image.height) == (columns * 192, rows * 108)
        assert columns * rows > 1  # a grid of frames, not one picture
        pixels = np.asarray(image.convert("L"), dtype=np.float32)
    tiles = [pixels[:108, c * 192 : (c + 1) * 192] for c in range(columns)]
    assert any(np.abs(tiles[0] - tile).mean() > 0.5 for tile in tiles[1:])  # it moves

    # The video is the key owner's draft in the app.
    drafts = api_client(alice).get("/api/me/drafts").json()["items"]
    assert [d["prompt"] for d in drafts] == ["a red car drives through a city at night"]


@pytest.mark.slow
def test_remix_edit_extend_and_delete(
    openai_client: Callable[..., OpenAI],
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    alice = make_user("alice")
    client = openai_client(alice)
    source = client.videos.create_and_poll(
        prompt="a dog runs in a park", seconds="1", size=SIZE, poll_interval_ms=10
    )
    assert source.status == "completed", source.error

    remix = client.videos.poll(
        client.videos.remix(source.id, prompt="make it night").id, poll_interval_ms=10
    )
    assert remix.status == "completed", remix.error
    assert remix.remixed_from_video_id == source.id
    assert remix.prompt == "make it night"

    # This SDK version only sends files for ``video``; a reference by id goes in the body.
    by_id = {"extra_body": {"video": {"id": source.id}}, "video": openai.omit}
    edit = client.videos.poll(
        client.videos.edit(prompt="add rain", **by_id).id,  # type: ignore[arg-type]
        poll_interval_ms=10,
    )
    assert edit.status == "completed", edit.error
    assert edit.remixed_from_video_id == source.id

    extended = client.videos.poll(
        client.videos.extend(prompt="the dog jumps", seconds="1", **by_id).id,  # type: ignore[arg-type]
        poll_interval_ms=10,
    )
    assert extended.status == "completed", extended.error
    assert extended.seconds == "2"
    assert extended.remixed_from_video_id == source.id
    extended_mp4 = client.videos.download_content(extended.id).read()
    duration, *_ = _decode(extended_mp4)
    assert 1.8 <= duration <= 2.3
    # It continues the source: its first second is the source, the new second differs.
    source_frames = _frames(client.videos.download_content(source.id).read())
    extended_frames = _frames(extended_mp4)
    night_frames = _frames(client.videos.download_content(remix.id).read())
    same = np.abs(source_frames[12] - extended_frames[12]).mean()
    assert same < 4 < np.abs(source_frames[12] - night_frames[12]).mean()
    assert np.abs(extended_frames[12] - extended_frames[36]).mean() > same

    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.extend(prompt="much longer", seconds="20", **by_id)  # type: ignore[arg-type]
    assert caught.value.param == "seconds"

    deleted = client.videos.delete(source.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (source.id, True, "video.deleted")
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve(source.id)
    assert source.id not in [v.id for v in client.videos.list()]
    drafts = api_client(alice).get("/api/me/drafts").json()["items"]
    assert len(drafts) == 3  # the remix, the edit and the extension remain


@pytest.mark.slow
def test_input_reference_image_starts_the_video(
    openai_client: Callable[..., OpenAI], make_user: Callable[..., User]
) -> None:
    client = openai_client(make_user("alice"))
    uploaded = client.videos.create_and_poll(
        prompt="a bird flies",
        seconds="1",
        size=SIZE,
        poll_interval_ms=10,
        input_reference=("red.png", _png(), "image/png"),
    )
    assert uploaded.status == "completed", uploaded.error

    data_url = "data:image/png;base64," + base64.b64encode(_png((20, 20, 220))).decode()
    by_url = client.videos.create(
        prompt="a bird flies",
        seconds="1",
        size=SIZE,
        extra_body={"input_reference": {"image_url": data_url}},
    )
    assert by_url.status in ("queued", "in_progress", "completed")

    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(
            prompt="a bird",
            seconds="1",
            size=SIZE,
            input_reference=("fake.png", b"not an image", "image/png"),
        )
    assert caught.value.param == "input_reference"
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(
            prompt="a bird",
            seconds="1",
            size=SIZE,
            extra_body={"input_reference": {"image_url": "https://example.com/a.png"}},
        )
    assert caught.value.param == "input_reference"


def test_moderated_prompt_is_refused_with_moderation_blocked(
    openai_client: Callable[..., OpenAI], make_user: Callable[..., User], runtime: Runtime
) -> None:
    runtime.huey.immediate = False
    client = openai_client(make_user("alice"))
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(
            prompt="a graphic video of a person being beheaded, gore everywhere",
            seconds="1",
            size=SIZE,
        )
    assert caught.value.status_code == 400
    assert caught.value.code == "moderation_blocked"
    assert client.videos.list().data == []


def test_openai_error_body_for_moderation() -> None:
    from kinema.api.openai_compat import openai_error_body

    body = openai_error_body(400, "moderation_blocked", "Not allowed.", {"category": "gore"})
    assert body == {"error": {"message": "Not allowed.", "type": "invalid_request_error",
                              "code": "moderation_blocked", "param": None}}


def test_extension_plan_continues_the_last_shot(tmp_path: Path) -> None:
    from kinema.engines import GenerationRequest, get_engine
    from kinema.engines.procedural.continuation import extend_plan
    from kinema.engines.procedural.planner import make_plan

    parent = make_plan("a dog runs in a park", seconds=1, width=256, height=144, fps=24,
                       seed=3).to_dict()

    extended = extend_plan(parent, "it starts to rain and the dog jumps", 1)

    assert extended["seconds"] == 2
    first, second = extended["shots"]
    assert first == parent["shots"][0]  # what was there stays as it was
    assert (second["start"], second["duration"]) == (1.0, 1)
    assert second["setting"] == first["setting"] and second["weather"] == "rain"
    assert [(s["noun"], s["action"]) for s in second["subjects"]] == [("dog", "jump")]
    with pytest.raises(InvalidRequest):
        extend_plan(parent, "the dog sleeps", 20)

    output = tmp_path / "extended.mp4"
    get_engine("procedural").generate(GenerationRequest(
        prompt="", output=output, seconds=2, width=256, height=144, plan=extended,
    ))
    duration, width, height, has_audio, _frames = _decode(output.read_bytes())
    assert (width, height, has_audio) == (256, 144, True)
    assert 1.9 <= duration <= 2.2


def test_plain_http_clients_can_send_json_and_video_references(
    openai_client: Callable[..., OpenAI], make_user: Callable[..., User],
    api_client: Callable[[User], TestClient], runtime: Runtime,
) -> None:
    runtime.huey.immediate = False
    alice = make_user("alice")
    http = api_client(alice)

    created = http.post("/v1/videos", json={"prompt": "a horse", "seconds": 2, "size": SIZE})
    assert created.status_code == 200, created.text
    video_id = created.json()["id"]
    assert created.json()["seconds"] == "2"

    # The source is still queued: the reference by id is read, and refused plainly.
    for path, body in (
        ("/v1/videos/extensions", {"prompt": "then it gallops", "seconds": "2",
                                   "video": {"id": video_id}}),
        ("/v1/videos/edits", {"prompt": "make it night", "video": {"id": video_id}}),
    ):
        response = http.post(path, json=body)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "video_not_ready"

    uploaded = http.post("/v1/videos/edits", data={"prompt": "make it night"},
                         files={"video": ("clip.mp4", b"\x00" * 32, "video/mp4")})
    assert uploaded.status_code == 400
    assert uploaded.json()["error"]["param"] == "video"

    missing = http.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert set(missing.json()["error"]) == {"message", "type", "code", "param"}
