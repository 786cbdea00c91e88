"""Studio routes (API.md "Studio"): uploads, generations with live progress, videos,
their content with HTTP Range, publishing and drafts."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse

from kinema.api.deps import CurrentUser, OptionalUser, RuntimeDep, SessionDep
from kinema.api.uploads import read_upload
from kinema.errors import InvalidInput, NotFound
from kinema.runtime import Runtime
from kinema.storage import ObjectMissing
from kinema.studio import service
from kinema.studio.captions import MEDIA_TYPE as CAPTIONS_MEDIA_TYPE
from kinema.studio.captions import caption_cues, webvtt
from kinema.studio.models import COMPLETED, FAILED, Generation
from kinema.studio.schemas import (
    GenerationOut,
    GenerationRequestBody,
    GenerationResponse,
    PublishBody,
    UploadOut,
    VideoList,
    VideoOut,
    present_video,
    present_videos,
)

router = APIRouter(prefix="/api", tags=["studio"])

EVENT_POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0
_MAX_DIGITS = 18
_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


@router.post("/uploads", status_code=201)
def upload(
    user: CurrentUser, session: SessionDep, runtime: RuntimeDep, file: UploadFile = File(...)
) -> UploadOut:
    """Upload a PNG, JPEG or WebP image to start a video from."""
    data = read_upload(file, limit=runtime.settings.max_upload_bytes, what="image")
    stored = service.upload_image(session, runtime, user, data)
    return UploadOut(
        id=stored.id,
        content_type=stored.content_type,
        width=stored.width,
        height=stored.height,
        size_bytes=stored.size_bytes,
        created_at=stored.created_at,
    )


@router.post("/generations", status_code=202)
def create_generation(
    body: GenerationRequestBody, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> GenerationResponse:
    """Ask for a video; it renders in the background (follow ``/events``)."""
    generation = service.request_generation(
        session,
        runtime,
        user,
        prompt=body.prompt,
        seconds=body.seconds,
        size=body.size,
        seed=body.seed,
        image_id=body.image_id,
        remix_of=body.remix_of,
        captions=body.captions,
    )
    return GenerationResponse(generation=GenerationOut.of(generation))


@router.get("/generations/{generation_id}")
def read_generation(generation_id: str, user: CurrentUser, session: SessionDep) -> GenerationOut:
    """A generation's status, progress (0-100), error and video id."""
    return GenerationOut.of(service.get_generation(session, user, generation_id))


@router.post("/generations/{generation_id}/cancel")
def cancel_generation(
    generation_id: str, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> GenerationOut:
    """Cancel one of your generations: a queued one stops at once, a running one at
    its next step. It ends ``failed`` with ``error: "Cancelled."`` and ``cancelled``."""
    return GenerationOut.of(service.cancel_generation(session, runtime, user, generation_id))


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _snapshot(runtime: Runtime, generation_id: str) -> dict[str, Any] | None:
    with runtime.sessions() as session:
        generation = session.get(Generation, generation_id)
        if generation is None:
            return None
        return {
            "id": generation.id,
            "status": generation.status,
            "progress": generation.progress,
            "stage": generation.stage,
            "error": generation.error,
            "cancelled": bool(generation.cancelled),
            "video_id": generation.video_id,
        }


@router.get("/generations/{generation_id}/events")
def generation_events(
    generation_id: str,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    runtime: RuntimeDep,
) -> StreamingResponse:
    """Server-Sent Events: ``progress`` events while the job runs, then one
    ``completed`` or ``failed`` event, then the stream ends."""
    service.get_generation(session, user, generation_id)  # 404 unless it is the caller's

    async def stream() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        last: dict[str, Any] | None = None
        quiet = 0.0
        while True:
            snapshot = await anyio.to_thread.run_sync(_snapshot, runtime, generation_id)
            if snapshot is None:
                yield _event(
                    "failed",
                    {"id": generation_id, "status": FAILED, "error": "The generation was deleted."},
                )
                return
            if snapshot["status"] in (COMPLETED, FAILED):
                yield _event(snapshot["status"], snapshot)
                return
            if snapshot != last:
                yield _event("progress", snapshot)
                last, quiet = snapshot, 0.0
            elif quiet >= KEEPALIVE_SECONDS:
                yield ": keep-alive\n\n"
                quiet = 0.0
            if await request.is_disconnected():
                return
            await asyncio.sleep(EVENT_POLL_SECONDS)
            quiet += EVENT_POLL_SECONDS

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/videos/{video_id}")
def read_video(video_id: str, viewer: OptionalUser, session: SessionDep) -> VideoOut:
    """A video: published ones for anyone, drafts for their author only."""
    return present_video(session, service.get_video_for_viewer(session, video_id, viewer))


def _parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """``(start, end)`` inclusive for a single satisfiable range, ``None`` to send the
    whole object (no header, or one this server does not handle), or ``"unsatisfiable"``.
    """
    if not header:
        return None
    match = _RANGE.match(header)
    if match is None:  # several ranges or another unit: answer with the whole object
        return None
    first, last = match.group(1).lstrip("0") or match.group(1)[:1], match.group(2)
    last = last.lstrip("0") or last[:1]
    if not first and not last:
        return None
    # Numbers longer than any file size are read as "past the end", not converted
    # (Python refuses to turn thousands of digits into an int).
    if len(first) > _MAX_DIGITS:
        return "unsatisfiable"
    if len(last) > _MAX_DIGITS:
        last = str(size)
    if not first:  # a suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        return "unsatisfiable"
    return start, min(end, size - 1)


@router.get("/videos/{video_id}/content", response_model=None)
def video_content(
    video_id: str,
    request: Request,
    viewer: OptionalUser,
    session: SessionDep,
    runtime: RuntimeDep,
    variant: str = "video",
) -> Response:
    """The MP4 (``variant=video``, with HTTP Range for seeking) or its JPEG poster
    (``variant=thumbnail``)."""
    video = service.get_video_for_viewer(session, video_id, viewer)
    if variant in ("video", "mp4"):
        key, media_type = video.video_key, "video/mp4"
    elif variant == "thumbnail":
        key, media_type = video.thumbnail_key, "image/jpeg"
    else:
        raise InvalidInput("variant must be 'video' or 'thumbnail'.", code="invalid_variant")
    storage = runtime.storage
    try:
        size = storage.size(key)
    except ObjectMissing:
        raise NotFound("The file for this video is missing.") from None
    cache = "public, max-age=3600" if video.status == "published" else "private, no-cache"
    headers = {"Accept-Ranges": "bytes", "Cache-Control": cache}
    wanted = _parse_range(request.headers.get("range"), size)
    if wanted == "unsatisfiable":
        return JSONResponse(
            {
                "error": {
                    "code": "range_not_satisfiable",
                    "message": f"The requested range is outside the {size}-byte file.",
                }
            },
            status_code=416,
            headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"},
        )
    if wanted is None:
        body: Iterator[bytes] = storage.iter_range(key, 0, None)
        headers["Content-Length"] = str(size)
        return StreamingResponse(body, media_type=media_type, headers=headers)
    assert isinstance(wanted, tuple)
    start, end = wanted
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1)
    return StreamingResponse(
        storage.iter_range(key, start, end),
        status_code=206,
        media_type=media_type,
        headers=headers,
    )


@router.get("/videos/{video_id}/captions.vtt", response_model=None)
def video_captions(video_id: str, viewer: OptionalUser, session: SessionDep) -> Response:
    """The video's dialogue as a WebVTT caption track: one cue per line, timed as it
    is spoken, with the speaker as a voice span. Seen by whoever may see the video."""
    video = service.get_video_for_viewer(session, video_id, viewer)
    cache = "public, max-age=3600" if video.status == "published" else "private, no-cache"
    return Response(
        webvtt(caption_cues(video.transcript, video.plan, video.seconds)),
        media_type=CAPTIONS_MEDIA_TYPE,
        headers={"Cache-Control": cache},
    )


@router.post("/videos/{video_id}/publish")
def publish(
    video_id: str, user: CurrentUser, session: SessionDep, body: PublishBody | None = None
) -> VideoOut:
    """Publish a draft (optionally with a caption) so it appears to everyone."""
    caption = body.caption if body is not None else None
    video = service.publish_video(session, user, video_id, caption=caption)
    return present_video(session, video)


@router.delete("/videos/{video_id}")
def delete(
    video_id: str, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> dict[str, bool]:
    """Delete one of your videos, draft or published, with its files."""
    service.delete_video(session, runtime, user, video_id)
    return {"deleted": True}


@router.get("/me/drafts")
def my_drafts(user: CurrentUser, session: SessionDep) -> VideoList:
    """Your drafts, newest first."""
    return VideoList(items=present_videos(session, service.list_drafts(session, user)))
