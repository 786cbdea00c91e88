"""Provenance routes: ``POST /api/provenance/check`` (API.md "Safety and provenance")
answers whether an uploaded video or picture came from this instance."""

from __future__ import annotations

from fastapi import APIRouter, File, Request, UploadFile
from pydantic import BaseModel

from kinema.accounts.service import RateLimit, consume_rate_limit
from kinema.api.deps import OptionalUser, RuntimeDep, SessionDep, client_ip
from kinema.api.uploads import save_upload, scratch_folder
from kinema.provenance import service

router = APIRouter(prefix="/api", tags=["provenance"])

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
def check(
    request: Request,
    viewer: OptionalUser,
    session: SessionDep,
    runtime: RuntimeDep,
    file: UploadFile = File(...),
) -> ProvenanceCheckOut:
    """Upload a video or an image: did it come from this instance, from which video (if
    you may see it), and how similar is it (0-1)? Works without an account."""
    # A plain ``def``: the rate-limit write, the copy to disk and the decoding all run in
    # the thread pool, never on the event loop that answers every other request.
    caller = viewer.id if viewer is not None else f"ip:{client_ip(request) or 'unknown'}"
    consume_rate_limit(runtime.sessions, f"provenance-check:{caller}", CHECKS_PER_CALLER)
    with scratch_folder(runtime.settings, "check-") as scratch:
        path = scratch / "upload"
        save_upload(file, path, limit=runtime.settings.max_video_upload_bytes)
        result = service.check_file(session, runtime.settings, viewer, path)
    return ProvenanceCheckOut(
        match=result.match,
        video_id=result.video_id,
        similarity=result.similarity,
        kind=result.kind,
        signed_here=result.signed_here,
        marked_video_id_found=result.marked_video_id_found,
    )
