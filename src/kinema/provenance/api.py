"""Provenance routes: ``POST /api/provenance/check`` (API.md "Safety and provenance")
answers whether an uploaded video or picture came from this instance."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import anyio
from fastapi import APIRouter, File, Request, UploadFile
from pydantic import BaseModel

from kinema.accounts.service import RateLimit, consume_rate_limit
from kinema.api.deps import OptionalUser, RuntimeDep, SessionDep, client_ip
from kinema.errors import InvalidInput, TooLarge
from kinema.provenance import service

router = APIRouter(prefix="/api", tags=["provenance"])

CHUNK = 1024 * 1024
# Each check decodes a whole video: a burst of a few, then one every 10 seconds.
CHECKS_PER_CALLER = RateLimit(capacity=10, refill_seconds=10)


class ProvenanceCheckOut(BaseModel):
    match: bool
    video_id: str | None
    similarity: float
    kind: str
    signed_here: bool
    marked_video_id_found: bool


@router.post("/provenance/check")
async def check(
    request: Request,
    viewer: OptionalUser,
    session: SessionDep,
    runtime: RuntimeDep,
    file: UploadFile = File(...),
) -> ProvenanceCheckOut:
    """Upload a video or an image: did it come from this instance, from which video (if
    you may see it), and how similar is it (0-1)? Works without an account."""
    caller = viewer.id if viewer is not None else f"ip:{client_ip(request) or 'unknown'}"
    consume_rate_limit(runtime.sessions, f"provenance-check:{caller}", CHECKS_PER_CALLER)
    limit = runtime.settings.max_video_upload_bytes
    scratch_root = runtime.settings.data_dir / "tmp"
    scratch_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="check-", dir=scratch_root))
    try:
        path = scratch / "upload"
        size = 0
        with open(path, "wb") as out:
            while chunk := await file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"The file is larger than the {limit / 1_048_576:.0f} MB limit.")
                out.write(chunk)
        if size == 0:
            raise InvalidInput("The file is empty.", code="empty_file")
        result = await anyio.to_thread.run_sync(
            lambda: service.check_file(session, runtime.settings, viewer, path)
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return ProvenanceCheckOut(
        match=result.match,
        video_id=result.video_id,
        similarity=result.similarity,
        kind=result.kind,
        signed_here=result.signed_here,
        marked_video_id_found=result.marked_video_id_found,
    )
