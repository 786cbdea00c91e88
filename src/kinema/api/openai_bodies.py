"""The ``/v1`` request bodies as the OpenAPI document shows them.

The ``/v1`` routes read their bodies themselves (``openai_compat.request_fields``):
the SDK sends the same call as JSON or as a multipart form depending on whether a file
goes with it, and nested fields as ``video[id]`` in forms. These models only describe
those bodies, for ``/api/openapi.json`` and the API reference page; parsing and
checking stay in the routes, so documenting a body never changes what is accepted.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

_SECONDS = 'Whole seconds, 1 to 20, as the SDK sends them ("4", "8", "12") or a number.'
_SIZE = 'WIDTHxHEIGHT, even, 128 to 1920 per side, e.g. "720x1280" (the default).'
_MODEL = "Any name: one of this instance's engines picks it, anything else the default."
_CAPTIONS = (
    "Kinema extension: burn the dialogue into the picture (with the SDK, "
    "extra_body={'captions': True}). Every video also has its dialogue as a WebVTT track: "
    "download_content(id, variant='captions')."
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow")


class ImageReference(BaseModel):
    image_url: str = Field(
        description="The picture as a data: URL, e.g. data:image/png;base64,... "
        "(Kinema fetches nothing from the web)."
    )


class VideoReference(BaseModel):
    id: str = Field(description="The id of a finished video of yours.")


class CreateVideoJSON(_Body):
    prompt: str = Field(description="What the video shows and says.")
    model: str | None = Field(default=None, description=_MODEL)
    seconds: str | int | None = Field(default="4", description=_SECONDS)
    size: str | None = Field(default="720x1280", description=_SIZE)
    input_reference: ImageReference | None = Field(
        default=None, description="A picture to start from."
    )
    captions: bool = Field(default=False, description=_CAPTIONS)


class CreateVideoForm(_Body):
    prompt: str = Field(description="What the video shows and says.")
    model: str | None = Field(default=None, description=_MODEL)
    seconds: str | None = Field(default="4", description=_SECONDS)
    size: str | None = Field(default="720x1280", description=_SIZE)
    input_reference: bytes | None = Field(
        default=None,
        description="A PNG, JPEG or WebP picture to start from.",
        json_schema_extra={"format": "binary"},
    )
    captions: Literal["true", "false"] = Field(default="false", description=_CAPTIONS)


class EditVideoJSON(_Body):
    prompt: str = Field(description='The change, e.g. "make it night" or "add rain".')
    video: VideoReference


class EditVideoForm(_Body):
    prompt: str = Field(description='The change, e.g. "make it night" or "add rain".')
    video_id: str = Field(alias="video[id]", description="The id of a finished video of yours.")


class ExtendVideoJSON(_Body):
    prompt: str = Field(description="What happens next.")
    seconds: str | int = Field(description="How many seconds to add. " + _SECONDS)
    video: VideoReference


class ExtendVideoForm(_Body):
    prompt: str = Field(description="What happens next.")
    seconds: str = Field(description="How many seconds to add. " + _SECONDS)
    video_id: str = Field(alias="video[id]", description="The id of a finished video of yours.")


class RemixVideoBody(_Body):
    prompt: str = Field(description='How the remix differs, e.g. "replace the dog with a cat".')


class CreateCharacterForm(_Body):
    name: str = Field(description="The character's name, 1 to 60 characters.")
    kind: Literal["pet", "object"] = Field(
        description="People become characters only through verified capture in the app."
    )
    handle: str | None = Field(
        default=None, description="The @handle to use; by default one is made from the name."
    )
    video: bytes = Field(
        description="A 3 to 15 second clip with sound.", json_schema_extra={"format": "binary"}
    )


class CreateWebhookEndpointBody(_Body):
    url: str = Field(description="A public https:// or http:// address.")
    event_types: list[str] | None = Field(
        default=None, description="video.completed and/or video.failed (default: both)."
    )
    name: str | None = Field(default=None, description="A label of your own.")


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The model's JSON Schema with its ``$defs`` written in place, so it can sit in an
    operation on its own."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def _form_fields(schema: dict[str, Any]) -> dict[str, Any]:
    """A form's fields as they travel: an optional field is left out rather than sent
    as null, and a file is a binary part (Pydantic writes bytes as base64 text)."""
    for name, prop in list(schema.get("properties", {}).items()):
        options = [o for o in prop.pop("anyOf", [prop]) if o.get("type") != "null"]
        merged = {**prop, **options[0]} if len(options) == 1 else {**prop, "anyOf": options}
        if merged.get("format") in ("binary", "base64url"):
            merged.pop("contentEncoding", None)
            merged.pop("contentMediaType", None)
            merged["format"] = "binary"
        if merged.get("default") is None:
            merged.pop("default", None)
        schema["properties"][name] = merged
    return schema


def request_body(
    json_model: type[BaseModel] | None = None, form_model: type[BaseModel] | None = None
) -> dict[str, Any]:
    """``openapi_extra`` for a route: its body as JSON, as a multipart form, or both."""
    content: dict[str, Any] = {}
    if json_model is not None:
        content["application/json"] = {
            "schema": _inline(json_model.model_json_schema(by_alias=True))
        }
    if form_model is not None:
        form = _form_fields(_inline(form_model.model_json_schema(by_alias=True)))
        content["multipart/form-data"] = {"schema": form}
    return {"requestBody": {"required": True, "content": content}}


def query_parameters(*parameters: tuple[str, dict[str, Any], str]) -> dict[str, Any]:
    """``openapi_extra`` for query parameters a route reads itself: (name, schema,
    description) each."""
    return {
        "parameters": [
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": schema,
                "description": description,
            }
            for name, schema, description in parameters
        ]
    }
