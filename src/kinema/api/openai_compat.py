"""The OpenAI-compatible Videos API under ``/v1``.

Code written for the official ``openai`` SDK (``client.videos.create``, ``retrieve``,
``list``, ``delete``, ``download_content``, ``remix``, ``edit``, ``extend``,
``create_and_poll``, ``create_character``...) runs unchanged with ``base_url`` pointing
here and a Kinema API key as the key. A ``/v1`` video is a Kinema generation job (same
id); the draft it makes appears in the key owner's studio. A ``/v1`` character is a
Kinema character (pets and objects only; people record themselves in the app). Errors
use OpenAI's body shape, ``{"error": {"message", "type", "code", "param"}}``, with the
statuses the SDK maps to its exception classes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from kinema.accounts import service as accounts
from kinema.accounts.models import User
from kinema.api.deps import RuntimeDep, SessionDep, bearer_token
from kinema.api.errors import register_error_format
from kinema.api.openai_bodies import (
    CreateCharacterForm,
    CreateVideoForm,
    CreateVideoJSON,
    CreateWebhookEndpointBody,
    EditVideoForm,
    EditVideoJSON,
    ExtendVideoForm,
    ExtendVideoJSON,
    RemixVideoBody,
    query_parameters,
    request_body,
)
from kinema.characters import service as characters
from kinema.characters.models import OBJECT, PERSON, PET, Character
from kinema.engines import available_engines
from kinema.engines.base import MAX_SECONDS, MIN_SECONDS, InvalidRequest, parse_size
from kinema.errors import Forbidden, InvalidInput, KinemaError, NotFound, NotSignedIn, TooLarge
from kinema.media.probe import UnreadableMedia, check_video_upload
from kinema.media.spritesheet import SpritesheetError, make_spritesheet
from kinema.runtime import Runtime
from kinema.storage import ObjectMissing
from kinema.studio import continuations, generation_history
from kinema.studio import service as studio
from kinema.studio.captions import MEDIA_TYPE as CAPTIONS_MEDIA_TYPE
from kinema.studio.captions import caption_cues, webvtt
from kinema.studio.models import COMPLETED, FAILED, Generation
from kinema.webhooks import service as webhooks
from kinema.webhooks.models import WebhookEndpoint

DEFAULT_SECONDS = 4  # the SDK's documented default
DEFAULT_SIZE = "720x1280"
POLL_AFTER_MS = 1000

router = APIRouter(prefix="/v1", tags=["openai-compatible"])


# --- errors ----------------------------------------------------------------------------

_OPENAI_CODES = {
    "not_signed_in": "invalid_api_key",
    "quota_exceeded": "insufficient_quota",
    "rate_limited": "rate_limit_exceeded",
}


def openai_error_body(
    status: int, code: str, message: str, extra: dict[str, Any]
) -> dict[str, Any]:
    """OpenAI's error body: ``{"error": {"message", "type", "code", "param"}}``."""
    code = _OPENAI_CODES.get(code, code)
    if status == 429:
        kind = "insufficient_quota" if code == "insufficient_quota" else "requests"
    elif status >= 500:
        kind = "server_error"
    else:
        kind = "invalid_request_error"
    param = extra.get("param")
    return {
        "error": {
            "message": message,
            "type": kind,
            "code": code,
            "param": param if isinstance(param, str) else None,
        }
    }


register_error_format("/v1", openai_error_body)


# --- authentication --------------------------------------------------------------------


def api_key_user(request: Request, session: SessionDep) -> User:
    """The owner of the bearer API key; 401 ``invalid_api_key`` without a valid one.
    (``/v1`` takes API keys only, never browser cookies.)"""
    token = bearer_token(request)
    if token is None:
        raise NotSignedIn(
            "You didn't provide an API key. Send a Kinema API key as "
            "'Authorization: Bearer <key>' (make one with POST /api/tokens or "
            "'kinema admin token').",
            code="invalid_api_key",
        )
    user = accounts.authenticate_api_key(session, token)
    if user is None:
        raise NotSignedIn("Incorrect API key provided.", code="invalid_api_key")
    if user.is_suspended:
        raise Forbidden("This account is suspended.", code="account_suspended")
    return user


ApiKeyUser = Annotated[User, Depends(api_key_user)]


# --- request bodies --------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, read into memory."""

    filename: str
    content_type: str
    data: bytes


_BRACKETS = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")


def _put(fields: dict[str, Any], key: str, value: Any) -> None:
    """Store a form value, turning ``video[id]`` into ``{"video": {"id": ...}}`` (the SDK
    sends nested objects in multipart bodies that way)."""
    match = _BRACKETS.match(key)
    if match is None:
        fields[key] = value
        return
    parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
    target = fields
    for part in parts[:-1]:
        existing = target.get(part)
        if not isinstance(existing, dict):
            existing = {}
            target[part] = existing
        target = existing
    target[parts[-1]] = value


async def request_fields(request: Request, _caller: ApiKeyUser) -> dict[str, Any]:
    """The request's fields from a JSON body or a multipart/urlencoded form (the SDK
    sends both, depending on the call). Files are read into ``UploadedFile``s, capped at
    the instance's upload limit. The API key is checked first: nobody without one gets
    their body parsed."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        limit = request.app.state.runtime.settings.max_video_upload_bytes
        try:
            form = await request.form()
        except Exception as exc:  # malformed multipart bodies raise several error types
            raise InvalidInput(f"The form body could not be read: {exc}") from None
        fields: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read(limit + 1)
                if len(data) > limit:
                    raise TooLarge(
                        f"The file {value.filename or key!r} is larger than "
                        f"{limit // 1_048_576} MB.",
                        param=key,
                    )
                _put(
                    fields, key, UploadedFile(value.filename or "", value.content_type or "", data)
                )
            else:
                _put(fields, key, value)
        return fields
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        # Off the event loop: a body with a base64 image can be tens of megabytes.
        body = await run_in_threadpool(json.loads, raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The request body is not valid JSON.") from None
    except RecursionError:
        raise InvalidInput("The request body is nested too deeply.") from None
    if not isinstance(body, dict):
        raise InvalidInput("The request body must be a JSON object.")
    return body


Fields = Annotated[dict[str, Any], Depends(request_fields)]


def _text_field(fields: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = fields.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(
                f"Missing required parameter: '{name}'.",
                param=name,
                code="missing_required_parameter",
            )
        return None
    if not isinstance(value, str | int | float):
        raise InvalidInput(f"'{name}' must be a string.", param=name)
    return str(value).strip()


def _seconds_field(fields: dict[str, Any], *, default: float | None) -> float:
    value = fields.get("seconds")
    if value is None or value == "":
        if default is None:
            raise InvalidInput(
                "Missing required parameter: 'seconds'.",
                param="seconds",
                code="missing_required_parameter",
            )
        return default
    try:
        seconds = float(str(value).strip())
    except ValueError:
        seconds = float("nan")
    if not (MIN_SECONDS <= seconds <= MAX_SECONDS):
        raise InvalidInput(
            f"Invalid 'seconds': {value!r}. Give a whole number of seconds from "
            f'{MIN_SECONDS} to {MAX_SECONDS}, e.g. "4" or "8".',
            param="seconds",
            code="invalid_value",
        )
    return seconds


_TRUE, _FALSE = ("true", "1", "on", "yes"), ("false", "0", "off", "no", "")


def _flag_field(fields: dict[str, Any], name: str) -> bool:
    """A yes/no field: a JSON boolean, or in a form ``true``/``false`` (also ``1``/``0``,
    ``on``/``off``); left out means no."""
    value = fields.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidInput(
        f"Invalid '{name}': {value!r}; use true or false.", param=name, code="invalid_type"
    )


def _size_field(fields: dict[str, Any]) -> str:
    value = _text_field(fields, "size") or DEFAULT_SIZE
    try:
        width, height = parse_size(value)
    except InvalidRequest as exc:
        raise InvalidInput(f"Invalid 'size': {exc}", param="size", code="invalid_value") from None
    return f"{width}x{height}"


def _source_id(fields: dict[str, Any]) -> str:
    """The id in ``video: {"id": ...}`` (or a bare id string)."""
    video = fields.get("video")
    if isinstance(video, UploadedFile):
        raise InvalidInput(
            "Kinema edits and extends videos it made: pass video={'id': '<video id>'} "
            "instead of uploading a file.",
            param="video",
            code="unsupported_value",
        )
    if isinstance(video, dict):
        video = video.get("id")
    if not isinstance(video, str) or not video.strip():
        raise InvalidInput(
            "Missing required parameter: 'video' (as {'id': '<video id>'}).",
            param="video",
            code="missing_required_parameter",
        )
    return video.strip()


def _reference_image(session: Session, runtime: Runtime, user: User, reference: Any) -> str:
    """Store the ``input_reference`` image as the caller's upload; returns its id."""
    data: bytes
    if isinstance(reference, UploadedFile):
        data = reference.data
    elif isinstance(reference, dict) and reference.get("image_url"):
        url = str(reference["image_url"])
        match = re.match(r"^data:image/[\w.+-]+;base64,(.*)$", url, re.DOTALL)
        if match is None:
            raise InvalidInput(
                "Kinema does not fetch images from the web: upload the image file as "
                "input_reference, or send it as a base64 data: URL.",
                param="input_reference",
                code="unsupported_value",
            )
        try:
            data = base64.b64decode(match.group(1), validate=False)
        except (binascii.Error, ValueError):
            raise InvalidInput(
                "The input_reference data: URL is not valid base64.", param="input_reference"
            ) from None
    elif isinstance(reference, dict) and reference.get("file_id"):
        raise InvalidInput(
            "Kinema has no Files API: upload the image file as input_reference instead of "
            "a file_id.",
            param="input_reference",
            code="unsupported_value",
        )
    else:
        raise InvalidInput("input_reference must be an image file.", param="input_reference")
    try:
        return studio.upload_image(session, runtime, user, data).id
    except KinemaError as exc:
        exc.details.setdefault("param", "input_reference")
        raise


# --- the video object ------------------------------------------------------------------


def _unix(moment: Any) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def _seconds_text(seconds: float) -> str:
    return f"{seconds:g}"


def video_object(session: Session, user: User, generation: Generation) -> dict[str, Any]:
    """The SDK's ``Video`` for one generation."""
    failed = generation.status == FAILED
    return {
        "id": generation.id,
        "object": "video",
        "model": generation.engine,
        "status": generation.status,
        "progress": 100 if generation.status == COMPLETED else int(generation.progress),
        "created_at": _unix(generation.created_at),
        "completed_at": _unix(generation.finished_at)
        if generation.status in (COMPLETED, FAILED)
        else None,
        # Drafts are kept until their author deletes them.
        "expires_at": None,
        "prompt": generation.prompt,
        "remixed_from_video_id": generation_history.source_generation_id(
            session, user, generation.remix_of
        ),
        "seconds": _seconds_text(generation.seconds),
        "size": generation.size,
        "error": {
            "code": "generation_failed",
            "message": generation.error or studio.RENDER_FAILED_MESSAGE,
        }
        if failed
        else None,
    }


def _own_generation(session: Session, user: User, video_id: str) -> Generation:
    generation = studio.get_generation(session, user, video_id)
    if generation.user_id != user.id:  # staff may see others' jobs in the app, not here
        raise NotFound("That video was not found.")
    return generation


def _engine_for(runtime: Runtime, model: str | None) -> str | None:
    """``model`` names an engine this instance serves -> that engine; anything else
    (e.g. "sora-2") -> the instance's default."""
    served = runtime.settings.served_engines
    return model if model and model in served and model in available_engines() else None


# --- routes ----------------------------------------------------------------------------


@router.post("/videos", openapi_extra=request_body(CreateVideoJSON, CreateVideoForm))
def create_video(
    fields: Fields, user: ApiKeyUser, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Start a video from a prompt (and optionally an ``input_reference`` image).
    Kinema's ``captions: true`` burns the dialogue into the picture."""
    prompt = _text_field(fields, "prompt", required=True)
    assert prompt is not None
    seconds = _seconds_field(fields, default=DEFAULT_SECONDS)
    size = _size_field(fields)
    captions = _flag_field(fields, "captions")
    image_id = None
    if fields.get("input_reference") not in (None, ""):
        image_id = _reference_image(session, runtime, user, fields["input_reference"])
    generation = studio.request_generation(
        session,
        runtime,
        user,
        prompt=prompt,
        seconds=seconds,
        size=size,
        image_id=image_id,
        engine=_engine_for(runtime, _text_field(fields, "model")),
        captions=captions,
    )
    return video_object(session, user, generation)


@router.get(
    "/videos",
    openapi_extra=query_parameters(
        ("after", {"type": "string"}, "The id of the last video of the previous page."),
        ("limit", {"type": "integer", "minimum": 1, "default": 20}, "Videos per page."),
        ("order", {"type": "string", "enum": ["asc", "desc"], "default": "desc"}, "By age."),
    ),
)
def list_videos(request: Request, user: ApiKeyUser, session: SessionDep) -> dict[str, Any]:
    """The caller's videos, newest first, with cursor pagination (``after``, ``limit``,
    ``order``)."""
    query = request.query_params
    limit_text = query.get("limit", "20")
    try:
        limit = int(limit_text)
    except ValueError:
        limit = 0
    if not 1 <= limit <= generation_history.MAX_PAGE:
        raise InvalidInput(
            f"Invalid 'limit': {limit_text!r}; use 1 to {generation_history.MAX_PAGE}.",
            param="limit",
            code="invalid_value",
        )
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise InvalidInput(
            "Invalid 'order': use 'asc' or 'desc'.", param="order", code="invalid_value"
        )
    ordering: Literal["asc", "desc"] = "asc" if order == "asc" else "desc"
    page = generation_history.list_generations(
        session, user, after=query.get("after") or None, limit=limit, order=ordering
    )
    data = [video_object(session, user, generation) for generation in page.items]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": page.has_more,
    }


@router.post("/videos/edits", openapi_extra=request_body(EditVideoJSON, EditVideoForm))
def edit_video(
    fields: Fields, user: ApiKeyUser, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Edit a finished video with a prompt ("make it night", "add rain")."""
    instruction = _text_field(fields, "prompt", required=True)
    assert instruction is not None
    generation = continuations.request_edit(
        session, runtime, user, _source_id(fields), instruction=instruction
    )
    return video_object(session, user, generation)


@router.post("/videos/extensions", openapi_extra=request_body(ExtendVideoJSON, ExtendVideoForm))
def extend_video(
    fields: Fields, user: ApiKeyUser, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Continue a finished video by ``seconds``; the result is the whole longer video."""
    prompt = _text_field(fields, "prompt", required=True)
    assert prompt is not None
    seconds = _seconds_field(fields, default=None)
    generation = continuations.request_extension(
        session, runtime, user, _source_id(fields), prompt=prompt, seconds=seconds
    )
    return video_object(session, user, generation)


# --- characters (``client.videos.create_character`` / ``get_character``) ----------------

# Over /v1 a character is made directly from a clip only for these kinds; people need the
# app's live challenge so nobody is made into a character without their consent.
DIRECT_KINDS = (PET, OBJECT)
HANDLE_MAX = 30


def _characters_page(runtime: Runtime) -> str:
    return runtime.settings.base_url.rstrip("/") + "/characters"


def character_object(character: Character) -> dict[str, Any]:
    """The SDK's character object (``id``, ``name``, ``created_at``) plus what Kinema
    knows: ``handle`` (for ``@handle`` in prompts), ``kind``, ``status``
    (``verifying|verified|rejected``) and, when rejected, the ``reason``."""
    return {
        "id": character.id,
        "object": "character",
        "name": character.name,
        "created_at": _unix(character.created_at),
        "handle": character.handle,
        "kind": character.kind,
        "status": character.status,
        "reason": character.reason,
    }


def _handle_candidates(name: str, kind: str) -> Iterator[str]:
    """Handles derived from the name ("Mr. Whiskers" -> ``mr_whiskers``), then the same
    with ``_2``, ``_3``... and finally random suffixes, until one is free."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[: HANDLE_MAX - 4]
    base = base.strip("_")
    if len(base) < 3:
        base = f"{base}_{kind}" if base else kind
    yield base
    for number in range(2, 50):
        yield f"{base}_{number}"
    while True:
        yield f"{base[: HANDLE_MAX - 7]}_{secrets.token_hex(3)}"


def _character_kind(runtime: Runtime, fields: dict[str, Any]) -> str:
    page = _characters_page(runtime)
    kind = (_text_field(fields, "kind") or "").lower()
    if not kind:
        raise InvalidInput(
            "Say what the character is: kind 'pet' or 'object' (with the SDK, "
            "extra_body={'kind': 'pet'}). People become characters only through Kinema's "
            f"verified capture, recording themselves with a live challenge at {page}.",
            param="kind",
            code="kind_required",
        )
    if kind == PERSON:
        raise InvalidInput(
            "People become characters only through Kinema's verified capture: record "
            f"yourself saying a phrase and turning your head as asked at {page}, so nobody "
            "is made into a character without their consent. Over this API, kind may be "
            "'pet' or 'object'.",
            param="kind",
            code="verified_capture_required",
        )
    if kind not in DIRECT_KINDS:
        raise InvalidInput(
            f"Invalid 'kind': {kind!r}; use 'pet' or 'object'.",
            param="kind",
            code="invalid_value",
        )
    return kind


def _submit_character(
    session: Session,
    runtime: Runtime,
    user: User,
    clip: Path,
    *,
    name: str,
    kind: str,
    handle: str | None,
) -> Character:
    """Submit the clip under the given handle, or under the first free handle derived
    from the name."""
    candidates = iter([handle]) if handle else _handle_candidates(name, kind)
    for candidate in candidates:
        try:
            return characters.submit_character(
                session, runtime, user, clip=clip, name=name, handle=candidate, kind=kind
            )
        except KinemaError as exc:
            if exc.code == "handle_taken" and not handle:
                continue  # the service checks the handle before touching anything
            param = {"unusable_recording": "video", "handle_taken": "handle"}.get(exc.code)
            if param is not None:
                exc.details.setdefault("param", param)
            raise
    raise InvalidInput("Choose a handle for the character.", param="handle")


@router.post("/videos/characters", openapi_extra=request_body(None, CreateCharacterForm))
def create_character(
    fields: Fields, user: ApiKeyUser, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Make a pet or object character from a short clip with sound (3-15 s). It is
    checked in the background: ``status`` is ``verifying`` until ``get_character`` says
    ``verified`` (then ``@handle`` works in prompts) or ``rejected`` (with a reason)."""
    name = _text_field(fields, "name", required=True)
    assert name is not None
    kind = _character_kind(runtime, fields)
    video = fields.get("video")
    if not isinstance(video, UploadedFile):
        raise InvalidInput(
            "Missing required parameter: 'video' (a 3-15 second clip with sound, uploaded "
            "as a file).",
            param="video",
            code="missing_required_parameter",
        )
    scratch_root = runtime.settings.data_dir / "tmp"
    scratch_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="character-", dir=scratch_root))
    try:
        clip = scratch / "clip"
        clip.write_bytes(video.data)
        try:
            # Playlists, unreadable files and oversized pictures, before any decoding.
            check_video_upload(clip, max_pixels=runtime.settings.max_video_upload_pixels)
        except UnreadableMedia as exc:
            raise InvalidInput(exc.message, code="unusable_recording", param="video") from None
        except KinemaError as exc:
            exc.details.setdefault("param", "video")
            raise
        character = _submit_character(
            session,
            runtime,
            user,
            clip,
            name=name,
            kind=kind,
            handle=_text_field(fields, "handle"),
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return character_object(character)


@router.get("/videos/characters/{character_id}")
def get_character(character_id: str, user: ApiKeyUser, session: SessionDep) -> dict[str, Any]:
    """One of the caller's characters (any status), or a verified one they may put in
    videos; anything else is not found."""
    return character_object(characters.get_character(session, user, character_id))


@router.get("/videos/{video_id}")
def retrieve_video(video_id: str, user: ApiKeyUser, session: SessionDep) -> JSONResponse:
    """A video's status and progress (the SDK's ``poll`` calls this until it is done)."""
    generation = _own_generation(session, user, video_id)
    headers = {}
    if generation.status not in (COMPLETED, FAILED):
        headers["openai-poll-after-ms"] = str(POLL_AFTER_MS)
    return JSONResponse(video_object(session, user, generation), headers=headers)


@router.delete("/videos/{video_id}")
def delete_video(
    video_id: str, user: ApiKeyUser, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Delete a video for good: the job, the draft and its files."""
    generation = _own_generation(session, user, video_id)
    video_key = generation.video_id
    generation_history.delete_generation(session, runtime, user, generation.id)
    if video_key is not None:
        sheet = _spritesheet_key(video_key)
        sa_event.listen(
            session, "after_commit", lambda _s: runtime.storage.delete(sheet), once=True
        )
    return {"id": video_id, "object": "video.deleted", "deleted": True}


@router.post("/videos/{video_id}/remix", openapi_extra=request_body(RemixVideoBody, RemixVideoBody))
def remix_video(
    video_id: str, fields: Fields, user: ApiKeyUser, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """A new video from a finished one, changed as the prompt says."""
    prompt = _text_field(fields, "prompt", required=True)
    assert prompt is not None
    generation = continuations.request_remix(session, runtime, user, video_id, prompt=prompt)
    return video_object(session, user, generation)


VARIANTS = ("video", "thumbnail", "spritesheet", "captions")


def _spritesheet_key(video_id: str) -> str:
    return f"spritesheets/{video_id}.jpg"


def _ensure_spritesheet(runtime: Runtime, video_id: str, video_key: str) -> str:
    """Make the video's spritesheet on first request and keep it in storage."""
    key = _spritesheet_key(video_id)
    if runtime.storage.exists(key):
        return key
    scratch_root = runtime.settings.data_dir / "tmp"
    scratch_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{video_id}-sheet-", dir=scratch_root))
    try:
        runtime.storage.copy_to(video_key, scratch / "video.mp4")
        sheet = make_spritesheet(scratch / "video.mp4", scratch / "sheet.jpg")
        runtime.storage.put_file(key, sheet.path)
    except SpritesheetError as exc:
        raise InvalidInput(str(exc), code="spritesheet_unavailable") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return key


@router.get(
    "/videos/{video_id}/content",
    response_model=None,
    openapi_extra=query_parameters(
        (
            "variant",
            {"type": "string", "enum": list(VARIANTS), "default": "video"},
            "video (MP4), thumbnail (JPEG), spritesheet (JPEG grid of frames) or, "
            "Kinema's own, captions (the dialogue as WebVTT).",
        ),
    ),
)
def download_content(
    video_id: str, request: Request, user: ApiKeyUser, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The MP4 (``variant=video``, the default), its JPEG poster (``thumbnail``), a
    JPEG grid of frames (``spritesheet``) or the dialogue as a WebVTT caption track
    (``captions``, a Kinema extension)."""
    variant = request.query_params.get("variant", "video")
    if variant not in VARIANTS:
        raise InvalidInput(
            "Invalid 'variant': use 'video', 'thumbnail', 'spritesheet' or 'captions'.",
            param="variant",
            code="invalid_value",
        )
    _own_generation(session, user, video_id)
    _generation, video = continuations.finished_video_of(session, user, video_id)
    if variant == "captions":
        return Response(
            webvtt(caption_cues(video.transcript, video.plan, video.seconds)),
            media_type=CAPTIONS_MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="{video_id}-captions.vtt"',
                "Cache-Control": "private, no-cache",
            },
        )
    if variant == "video":
        key, media_type, extension = video.video_key, "video/mp4", "mp4"
    elif variant == "thumbnail":
        key, media_type, extension = video.thumbnail_key, "image/jpeg", "jpg"
    else:
        key = _ensure_spritesheet(runtime, video.id, video.video_key)
        media_type, extension = "image/jpeg", "jpg"
    try:
        size = runtime.storage.size(key)
    except ObjectMissing:
        raise NotFound("The file for this video is missing.") from None
    body: Iterator[bytes] = runtime.storage.iter_range(key, 0, None)
    return StreamingResponse(
        body,
        media_type=media_type,
        headers={
            "Content-Length": str(size),
            "Content-Disposition": f'attachment; filename="{video_id}-{variant}.{extension}"',
            "Cache-Control": "private, no-cache",
        },
    )


# --- webhook endpoints (``client.webhooks.create/retrieve/list/delete``) ----------------


def _endpoint_object(
    runtime: Runtime, endpoint: WebhookEndpoint, secret: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": endpoint.id,
        "object": "webhook_endpoint",
        "created_at": _unix(endpoint.created_at),
        "updated_at": _unix(endpoint.created_at),
        "event_types": list(endpoint.events),
        "name": endpoint.name,
        "url": endpoint.url,
        "signing_secret_hint": webhooks.secret_hint(runtime.settings.data_dir, endpoint),
    }
    if secret is not None:
        body["signing_secret"] = secret
    return body


@router.post("/webhook_endpoints", openapi_extra=request_body(CreateWebhookEndpointBody))
def create_webhook_endpoint(
    fields: Fields, user: ApiKeyUser, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Register a URL for ``video.completed`` / ``video.failed``; the signing secret is
    in this answer only."""
    url = _text_field(fields, "url", required=True)
    assert url is not None
    events = fields.get("event_types")
    if events is not None and not (
        isinstance(events, list) and all(isinstance(e, str) for e in events)
    ):
        raise InvalidInput("'event_types' must be a list of event names.", param="event_types")
    try:
        endpoint, secret = webhooks.register_endpoint(
            session,
            user_id=user.id,
            url=url,
            events=events,
            name=_text_field(fields, "name") or "",
            allow_private=runtime.settings.webhooks_allow_private,
            data_dir=runtime.settings.data_dir,
        )
    except InvalidInput as exc:
        exc.details.setdefault("param", "event_types" if exc.code == "invalid_event" else "url")
        raise
    return _endpoint_object(runtime, endpoint, secret)


@router.get("/webhook_endpoints")
def list_webhook_endpoints(
    user: ApiKeyUser, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """The caller's endpoints, newest first (at most ``MAX_ENDPOINTS_PER_USER``, so one
    page holds them all)."""
    endpoints = list(reversed(webhooks.list_endpoints(session, user_id=user.id)))
    data = [_endpoint_object(runtime, endpoint) for endpoint in endpoints]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": False,
    }


@router.get("/webhook_endpoints/{endpoint_id}")
def retrieve_webhook_endpoint(
    endpoint_id: str, user: ApiKeyUser, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """One of the caller's endpoints, without its secret."""
    return _endpoint_object(
        runtime, webhooks.get_endpoint(session, user_id=user.id, endpoint_id=endpoint_id)
    )


@router.delete("/webhook_endpoints/{endpoint_id}")
def delete_webhook_endpoint(
    endpoint_id: str, user: ApiKeyUser, session: SessionDep
) -> dict[str, Any]:
    """Stop sending events to an endpoint."""
    webhooks.delete_endpoint(session, user_id=user.id, endpoint_id=endpoint_id)
    return {"id": endpoint_id, "object": "webhook_endpoint.deleted", "deleted": True}
