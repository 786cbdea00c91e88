"""Character request and response bodies (API.md "Characters")."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from kinema.characters.models import CaptureChallenge, Character
from kinema.characters.rules import read_preferences


class ChallengeOut(BaseModel):
    id: str
    phrase: str
    turns: list[str]
    expires_at: datetime

    @classmethod
    def of(cls, challenge: CaptureChallenge) -> ChallengeOut:
        return cls(
            id=challenge.id,
            phrase=challenge.phrase,
            turns=list(challenge.turns),
            expires_at=challenge.expires_at,
        )


class PermissionOut(BaseModel):
    level: str
    approved: list[str] = Field(default_factory=list)


class CharacterOut(BaseModel):
    id: str
    handle: str
    name: str
    kind: str
    status: str
    reason: str | None
    permission: PermissionOut
    # Owner-only fields are left empty for others.
    is_owner: bool
    instructions: str = ""
    content_rules: list[str] = Field(default_factory=list)
    appearance_rules: list[str] = Field(default_factory=list)
    created_at: datetime
    verified_at: datetime | None
    cutout_url: str | None = None


def present_character(
    session: Session, character: Character, viewer_id: str, approved: list[str] | None = None
) -> CharacterOut:
    """The API view of a character for ``viewer_id``: the owner sees their preferences
    and approvals; others see only what they need to use it."""
    owner = character.owner_id == viewer_id
    preferences = read_preferences(character.instructions) if owner else None
    if owner and approved is None:
        from kinema.characters.service import approved_handles

        approved = approved_handles(session, character)
    return CharacterOut(
        id=character.id,
        handle=character.handle,
        name=character.name,
        kind=character.kind,
        status=character.status,
        reason=character.reason,
        permission=PermissionOut(
            level=character.permission, approved=list(approved or []) if owner else []
        ),
        is_owner=owner,
        instructions=character.instructions if owner else "",
        content_rules=list(preferences.content_rules) if preferences else [],
        appearance_rules=list(preferences.appearance_rules) if preferences else [],
        created_at=character.created_at,
        verified_at=character.verified_at,
        cutout_url=(
            f"/api/characters/{character.id}/cutout" if owner and character.cutout_key else None
        ),
    )


class CharacterResponse(BaseModel):
    character: CharacterOut


class CharacterList(BaseModel):
    items: list[CharacterOut]


class PermissionBody(BaseModel):
    level: str
    approved: list[str] = Field(default_factory=list, max_length=200)


class PreferencesBody(BaseModel):
    instructions: str = Field(default="", max_length=5000)


class AppearanceOut(BaseModel):
    video_id: str
    author: str
    status: str
    prompt: str
    created_at: datetime


class AppearanceList(BaseModel):
    items: list[AppearanceOut]
