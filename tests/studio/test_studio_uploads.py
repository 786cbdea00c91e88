"""Uploading images to start a video from."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from kinema.accounts.models import User
from kinema.db import transaction
from kinema.runtime import Runtime
from kinema.studio.models import Upload


@pytest.mark.parametrize(
    ("fmt", "name", "content_type"),
    [
        ("PNG", "a.png", "image/png"),
        ("JPEG", "b.jpg", "image/jpeg"),
        ("WEBP", "c.webp", "image/webp"),
    ],
)
def test_good_images_are_accepted(
    make_image: Callable[..., bytes],
    fmt: str,
    name: str,
    content_type: str,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    runtime: Runtime,
) -> None:
    client = api_client(make_user("alice"))
    response = client.post(
        "/api/uploads", files={"file": (name, make_image(fmt), "application/octet-stream")}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"].startswith("upl_")
    assert body["content_type"] == content_type
    assert (body["width"], body["height"]) == (64, 48)
    with transaction(runtime.sessions) as session:
        upload = session.get(Upload, body["id"])
        assert upload is not None
        stored = runtime.storage.read_bytes(upload.storage_key)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == fmt
        assert image.size == (64, 48)


def test_metadata_is_stripped(
    make_image: Callable[..., bytes],
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    runtime: Runtime,
) -> None:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # a GPS position
    data = make_image("JPEG", exif=exif.tobytes())
    assert b"SecretCam" in data
    client = api_client(make_user("alice"))
    response = client.post("/api/uploads", files={"file": ("me.jpg", data, "image/jpeg")})
    assert response.status_code == 201, response.text
    with transaction(runtime.sessions) as session:
        upload = session.get(Upload, response.json()["id"])
        assert upload is not None
        stored = runtime.storage.read_bytes(upload.storage_key)
    assert b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()


def test_text_renamed_as_png_is_refused(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient], runtime: Runtime
) -> None:
    client = api_client(make_user("alice"))
    response = client.post(
        "/api/uploads",
        files={"file": ("cat.png", b"hello, I am not a picture\n" * 20, "image/png")},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unsupported_image"
    assert "PNG, JPEG or WebP" in error["message"]
    with transaction(runtime.sessions) as session:
        assert session.query(Upload).count() == 0


def test_other_image_types_are_refused(
    make_image: Callable[..., bytes],
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    client = api_client(make_user("alice"))
    response = client.post(
        "/api/uploads", files={"file": ("x.gif", make_image("GIF"), "image/gif")}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unsupported_image"


def test_truncated_image_is_refused(
    make_image: Callable[..., bytes],
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    client = api_client(make_user("alice"))
    data = make_image("PNG", (300, 300))
    response = client.post(
        "/api/uploads", files={"file": ("x.png", data[: len(data) // 2], "image/png")}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unsupported_image"


def test_oversized_file_is_413(
    settings: object,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    runtime: Runtime,
) -> None:
    runtime.settings.max_upload_bytes = 10_000
    client = api_client(make_user("alice"))
    noisy = Image.effect_noise((200, 200), 100).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > 10_000
    response = client.post("/api/uploads", files={"file": ("big.png", out.getvalue(), "image/png")})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    with transaction(runtime.sessions) as session:
        assert session.query(Upload).count() == 0


def test_pixel_bomb_is_refused_without_decoding(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient]
) -> None:
    # 20000 x 20000 of one colour compresses to a few hundred kilobytes but would need
    # 1.2 GB of memory to decode.
    out = io.BytesIO()
    Image.new("L", (20_000, 20_000), 0).save(out, "PNG", optimize=False)
    client = api_client(make_user("alice"))
    response = client.post(
        "/api/uploads", files={"file": ("bomb.png", out.getvalue(), "image/png")}
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large"
    assert "pixels" in error["message"]


def test_image_over_the_pixel_cap_is_refused(
    make_image: Callable[..., bytes],
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    runtime: Runtime,
) -> None:
    runtime.settings.max_upload_pixels = 100 * 100
    client = api_client(make_user("alice"))
    response = client.post(
        "/api/uploads", files={"file": ("wide.png", make_image("PNG", (400, 300)), "image/png")}
    )
    assert response.status_code == 413
    assert "400x300" in response.json()["error"]["message"]


def test_upload_needs_sign_in(make_image: Callable[..., bytes], client: TestClient) -> None:
    response = client.post(
        "/api/uploads", files={"file": ("a.png", make_image("PNG"), "image/png")}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_signed_in"


def test_missing_file_field_is_a_clear_error(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient]
) -> None:
    client = api_client(make_user("alice"))
    response = client.post("/api/uploads", data={"other": "x"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"
