"""Captions over ``/v1``: Kinema's ``captions`` field on create (JSON and multipart) and
the ``captions`` content variant, a WebVTT track of the dialogue."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from openai import OpenAI
from PIL import Image

from kinema.accounts import service as accounts
from kinema.db import transaction
from kinema.studio.models import Generation

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from kinema.accounts.models import User
    from kinema.runtime import Runtime

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SPOKEN = 'a parrot on a branch says "Good morning, everyone!"'


def _captions(runtime: Runtime, generation_id: str) -> bool:
    with transaction(runtime.sessions) as session:
        row = session.get(Generation, generation_id)
        assert row is not None
        return row.captions


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def test_captions_field_in_json_and_forms(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    runtime: Runtime,
) -> None:
    runtime.huey.immediate = False
    http = api_client(make_user("alice"))
    base = {"prompt": SPOKEN, "seconds": "2", "size": "256x144"}

    on = http.post("/v1/videos", json={**base, "captions": True})
    off = http.post("/v1/videos", json=base)
    assert on.status_code == off.status_code == 200, on.text
    assert _captions(runtime, on.json()["id"]) is True
    assert _captions(runtime, off.json()["id"]) is False

    # The SDK sends a form when a file goes with the call: the flag is text there.
    picture = {"input_reference": ("p.png", _png(), "image/png")}
    form_on = http.post("/v1/videos", data={**base, "captions": "true"}, files=picture)
    form_off = http.post("/v1/videos", data={**base, "captions": "false"}, files=picture)
    assert form_on.status_code == form_off.status_code == 200, form_on.text
    assert _captions(runtime, form_on.json()["id"]) is True
    assert _captions(runtime, form_off.json()["id"]) is False

    for bad in ({"captions": "sometimes"}, {"captions": 1}, {"captions": {"on": True}}):
        refused = http.post("/v1/videos", json={**base, **bad})
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["param"] == "captions"
        assert refused.json()["error"]["code"] == "invalid_type"
    runtime.huey.flush()


def test_captions_are_documented_in_the_openapi_bodies(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    create = document["paths"]["/v1/videos"]["post"]["requestBody"]["content"]
    assert create["application/json"]["schema"]["properties"]["captions"]["type"] == "boolean"
    form = create["multipart/form-data"]["schema"]["properties"]["captions"]
    assert form["enum"] == ["true", "false"]
    content = document["paths"]["/v1/videos/{video_id}/content"]["get"]
    variant = next(p for p in content["parameters"] if p["name"] == "variant")
    assert "captions" in variant["schema"]["enum"]


@pytest.mark.slow
def test_sdk_makes_a_captioned_video_and_downloads_its_track(
    app: FastAPI, runtime: Runtime, make_user: Callable[..., User]
) -> None:
    from fastapi.testclient import TestClient

    alice = make_user("alice")
    with transaction(runtime.sessions) as session:
        _key, api_key = accounts.create_api_key(session, user_id=alice.id, name="sdk")
    with TestClient(app, base_url="http://testserver") as http:
        client = OpenAI(
            base_url="http://testserver/v1", api_key=api_key, http_client=http, max_retries=0
        )
        video = client.videos.create_and_poll(
            prompt=SPOKEN,
            seconds="2",
            size="256x144",
            poll_interval_ms=10,
            extra_body={"captions": True},
        )
        assert video.status == "completed", video.error
        assert _captions(runtime, video.id) is True
        track = client.videos.download_content(video.id, variant="captions")  # type: ignore[arg-type]
        assert track.response.headers["content-type"] == "text/vtt; charset=utf-8"
        text = track.read().decode()
        assert text.startswith("WEBVTT\n\n1\n00:00:")
        assert "Good morning, everyone!</v>" in text
