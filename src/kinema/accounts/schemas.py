"""JSON shapes of the accounts API (see API.md "Accounts")."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from kinema.accounts.models import User


class SignupRequest(BaseModel):
    handle: str = Field(max_length=64)
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)
    birthdate: date
    invite_code: str | None = Field(default=None, max_length=64)


class LoginRequest(BaseModel):
    login: str = Field(max_length=254, description="Handle or email.")
    password: str = Field(max_length=256)


class TokenRequest(BaseModel):
    name: str = Field(default="API key", max_length=100)


class PublicUser(BaseModel):
    """What anyone may see about a user."""

    id: str
    handle: str
    display_name: str | None = None
    bio: str | None = None
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> PublicUser:
        return cls(
            id=user.id,
            handle=user.handle,
            display_name=user.display_name,
            bio=user.bio,
            created_at=user.created_at,
        )


class Me(PublicUser):
    """What a signed-in user sees about themself."""

    email: str
    birthdate: date | None = None
    is_teen: bool
    is_admin: bool
    role: str

    @classmethod
    def of(cls, user: User) -> Me:
        return cls(
            id=user.id,
            handle=user.handle,
            display_name=user.display_name,
            bio=user.bio,
            created_at=user.created_at,
            email=user.shared_email or user.email,
            birthdate=user.birthdate,
            is_teen=user.is_teen,
            is_admin=user.is_admin,
            role=user.role,
        )


class UserResponse(BaseModel):
    user: PublicUser


class MeResponse(BaseModel):
    user: Me


class TokenResponse(BaseModel):
    token: str = Field(description="The API key. Shown once: it is not stored.")
    id: str
    name: str
    created_at: datetime


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="The first characters of the key, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None = None


class ApiKeysResponse(BaseModel):
    tokens: list[ApiKeyOut]


class InviteOut(BaseModel):
    code: str
    used_by: str | None = Field(description="Handle of the person who used it.")
    created_at: datetime
    used_at: datetime | None = None


class InvitesResponse(BaseModel):
    invites: list[InviteOut]
