"""Character routes (API.md "Characters"): the capture challenge, submitting a clip,
reading characters, consent, preferences, appearances and deletion."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from kinema.api.deps import CurrentUser, RuntimeDep, SessionDep
from kinema.api.uploads import save_upload, scratch_folder
from kinema.characters import service
from kinema.characters.schemas import (
    AppearanceList,
    AppearanceOut,
    ChallengeOut,
    CharacterList,
    CharacterOut,
    CharacterResponse,
    PermissionBody,
    PreferencesBody,
    present_character,
)
from kinema.errors import InvalidInput
from kinema.media.probe import UnreadableMedia, check_video_upload

router = APIRouter(prefix="/api/characters", tags=["characters"])


@router.post("/challenge", status_code=201)
def create_challenge(user: CurrentUser, session: SessionDep) -> ChallengeOut:
    """What to say aloud and how to turn your head while recording yourself."""
    return ChallengeOut.of(service.new_challenge(session, user))


@router.post("", status_code=202)
def create_character(
    user: CurrentUser,
    session: SessionDep,
    runtime: RuntimeDep,
    video: UploadFile = File(...),
    name: str = Form(...),
    handle: str = Form(...),
    kind: str = Form("person"),
    challenge_id: str | None = Form(None),
) -> CharacterResponse:
    """Submit a 3-15 s capture clip with sound; it is checked in the background."""
    # A plain ``def``: the copy to disk, the probe and the database work run in the
    # thread pool, off the event loop.
    with scratch_folder(runtime.settings, "capture-") as folder:
        clip = folder / "clip"
        save_upload(
            video, clip, limit=runtime.settings.max_video_upload_bytes, what="recording"
        )
        # Playlists, unreadable files and oversized pictures are refused before decoding.
        try:
            check_video_upload(clip, max_pixels=runtime.settings.max_video_upload_pixels)
        except UnreadableMedia as exc:
            raise InvalidInput(exc.message, code="unusable_recording") from None
        character = service.submit_character(
            session,
            runtime,
            user,
            clip=clip,
            name=name,
            handle=handle,
            kind=kind.strip().lower(),
            challenge_id=challenge_id,
        )
        return CharacterResponse(character=present_character(session, character, user.id, []))


@router.get("")
def list_characters(user: CurrentUser, session: SessionDep) -> CharacterList:
    """Your characters, then the ones you may put in videos."""
    return CharacterList(
        items=[
            present_character(session, c, user.id) for c in service.list_characters(session, user)
        ]
    )


@router.get("/{character_id}")
def get_character(character_id: str, user: CurrentUser, session: SessionDep) -> CharacterOut:
    """A character you own, or one you may use."""
    return present_character(session, service.get_character(session, user, character_id), user.id)


@router.get("/{character_id}/cutout")
def get_cutout(
    character_id: str, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """Your character's cutout, background removed (PNG)."""
    data = service.cutout_png(session, runtime, user, character_id)
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, no-store"})


@router.put("/{character_id}/permission")
def put_permission(
    character_id: str, body: PermissionBody, user: CurrentUser, session: SessionDep
) -> CharacterOut:
    """Decide who may put your character in videos."""
    character = service.set_permission(
        session, user, character_id, level=body.level, approved=body.approved
    )
    return present_character(session, character, user.id)


@router.put("/{character_id}/preferences")
def put_preferences(
    character_id: str, body: PreferencesBody, user: CurrentUser, session: SessionDep
) -> CharacterOut:
    """Your rules for the character, in your own words."""
    character = service.set_preferences(session, user, character_id, body.instructions)
    return present_character(session, character, user.id)


@router.get("/{character_id}/appearances")
def get_appearances(character_id: str, user: CurrentUser, session: SessionDep) -> AppearanceList:
    """Every video your character is in, drafts of others included."""
    return AppearanceList(
        items=[
            AppearanceOut(
                video_id=a.video_id,
                author=a.author_handle,
                status=a.status,
                prompt=a.prompt,
                created_at=a.created_at,  # type: ignore[arg-type]
            )
            for a in service.list_appearances(session, user, character_id)
        ]
    )


@router.delete("/{character_id}/appearances/{video_id}", status_code=204)
def delete_appearance(
    character_id: str, video_id: str, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """Take a video you appear in down, for everyone."""
    service.remove_appearance(session, runtime, user, character_id, video_id)
    return Response(status_code=204)


@router.delete("/{character_id}", status_code=204)
def delete_character(
    character_id: str, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """Delete your character, its biometric data and every video showing it."""
    service.delete_character(session, runtime, user, character_id)
    return Response(status_code=204)
