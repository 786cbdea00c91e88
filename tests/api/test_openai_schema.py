"""The ``/v1`` request bodies are in the OpenAPI document, as JSON and as the multipart
forms the SDK sends, and what the document says is what the routes take."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from kinema.accounts.models import User
    from kinema.runtime import Runtime


def _operations(client: TestClient) -> dict[str, dict[str, Any]]:
    document = client.get("/api/openapi.json").json()
    return {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


@pytest.mark.parametrize(
    ("operation", "media_types", "required"),
    [
        ("POST /v1/videos", {"application/json", "multipart/form-data"}, {"prompt"}),
        ("POST /v1/videos/edits", {"application/json", "multipart/form-data"}, {"prompt"}),
        (
            "POST /v1/videos/extensions",
            {"application/json", "multipart/form-data"},
            {"prompt", "seconds"},
        ),
        (
            "POST /v1/videos/{video_id}/remix",
            {"application/json", "multipart/form-data"},
            {"prompt"},
        ),
        ("POST /v1/videos/characters", {"multipart/form-data"}, {"name", "kind", "video"}),
        ("POST /v1/webhook_endpoints", {"application/json"}, {"url"}),
    ],
)
def test_v1_request_bodies_are_documented(
    client: TestClient, operation: str, media_types: set[str], required: set[str]
) -> None:
    body = _operations(client)[operation]["requestBody"]
    assert body["required"] is True
    assert set(body["content"]) == media_types
    for schema in (content["schema"] for content in body["content"].values()):
        assert required <= set(schema["required"])
        assert all(schema["properties"][name].get("description") for name in required)


def test_every_v1_call_that_takes_a_body_documents_it(client: TestClient) -> None:
    posts = {k: v for k, v in _operations(client).items() if k.startswith("POST /v1/")}
    assert len(posts) >= 6
    assert [name for name, operation in posts.items() if "requestBody" not in operation] == []


def test_files_are_binary_parts_and_nested_ids_use_the_sdk_form_names(
    client: TestClient,
) -> None:
    operations = _operations(client)
    create = operations["POST /v1/videos"]["requestBody"]["content"]
    form = create["multipart/form-data"]["schema"]["properties"]
    assert form["input_reference"] == {
        **form["input_reference"],
        "type": "string",
        "format": "binary",
    }
    as_json = create["application/json"]["schema"]["properties"]["input_reference"]
    assert "image_url" in str(as_json) and "$ref" not in str(as_json)
    edit = operations["POST /v1/videos/edits"]["requestBody"]["content"]
    assert "video[id]" in edit["multipart/form-data"]["schema"]["properties"]
    assert edit["application/json"]["schema"]["properties"]["video"]["required"] == ["id"]
    character = operations["POST /v1/videos/characters"]["requestBody"]["content"]
    kind = character["multipart/form-data"]["schema"]["properties"]["kind"]
    assert kind["enum"] == ["pet", "object"]
    listing = {p["name"] for p in operations["GET /v1/videos"]["parameters"]}
    assert listing == {"after", "limit", "order"}


def test_a_body_built_from_the_document_is_taken_as_json_and_as_a_form(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    runtime: Runtime,
) -> None:
    runtime.huey.immediate = False  # queued is enough: the body is what is under test
    client = api_client(make_user("alice"))
    schema = _operations(client)["POST /v1/videos"]["requestBody"]["content"]
    fields = {
        name: prop.get("default") or {"prompt": "a red fox in the snow"}.get(name)
        for name, prop in schema["multipart/form-data"]["schema"]["properties"].items()
        if prop.get("format") != "binary"
    }
    fields = {name: value for name, value in fields.items() if value is not None}
    fields["seconds"] = "1"
    as_json = client.post("/v1/videos", json=fields)
    as_form = client.post("/v1/videos", data=fields, files={"unused": ("x.txt", b"", "text/plain")})
    for response in (as_json, as_form):
        assert response.status_code == 200, response.text
        video = response.json()
        assert (video["object"], video["status"], video["prompt"]) == (
            "video",
            "queued",
            "a red fox in the snow",
        )
        assert video["size"] == "720x1280" and video["seconds"] == "1"
