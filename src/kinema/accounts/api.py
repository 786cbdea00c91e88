"""Accounts routes (API.md "Accounts"): sign up, log in and out, API keys, the signed-in
user, their invites, and public profiles."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from kinema.accounts import service
from kinema.accounts.schemas import (
    ApiKeyOut,
    ApiKeysResponse,
    InviteOut,
    InvitesResponse,
    LoginRequest,
    Me,
    MeResponse,
    PublicUser,
    SignupRequest,
    TokenRequest,
    TokenResponse,
    UserResponse,
)
from kinema.api.deps import (
    SESSION_COOKIE,
    CurrentUser,
    OptionalUser,
    RuntimeDep,
    SessionDep,
    client_ip,
)
from kinema.api.security import clear_session_cookie, set_session_cookies

router = APIRouter(prefix="/api", tags=["accounts"])


@router.post("/auth/signup", status_code=201)
def sign_up(
    body: SignupRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
) -> MeResponse:
    """Create an account (with an invite code unless registration is open) and sign in."""
    service.check_signup_allowed(runtime.sessions, ip_address=client_ip(request))
    user = service.sign_up(
        session,
        runtime.settings,
        handle=body.handle,
        email=body.email,
        password=body.password,
        birthdate=body.birthdate,
        invite_code=body.invite_code,
    )
    signed_in = service.start_session(
        session,
        user,
        previous_token=request.cookies.get(SESSION_COOKIE),
        user_agent=request.headers.get("user-agent"),
        ip_address=client_ip(request),
    )
    set_session_cookies(
        response, signed_in.session_token, secure=bool(runtime.settings.cookie_secure)
    )
    return MeResponse(user=Me.of(user))


@router.post("/auth/login")
def log_in(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
) -> MeResponse:
    """Sign in by handle or email; starts a new session and ends any previous one."""
    service.check_login_allowed(runtime.sessions, login=body.login, ip_address=client_ip(request))
    signed_in = service.log_in(
        session,
        login=body.login,
        password=body.password,
        previous_token=request.cookies.get(SESSION_COOKIE),
        user_agent=request.headers.get("user-agent"),
        ip_address=client_ip(request),
    )
    set_session_cookies(
        response, signed_in.session_token, secure=bool(runtime.settings.cookie_secure)
    )
    return MeResponse(user=Me.of(signed_in.user))


@router.post("/auth/logout")
def log_out(
    request: Request, response: Response, session: SessionDep, runtime: RuntimeDep
) -> dict[str, bool]:
    """End this browser's session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.log_out(session, token)
    clear_session_cookie(response, secure=bool(runtime.settings.cookie_secure))
    return {"signed_out": True}


@router.post("/tokens", status_code=201)
def create_token(body: TokenRequest, user: CurrentUser, session: SessionDep) -> TokenResponse:
    """Make an API key for the signed-in user. The key is in this answer only."""
    key, token = service.create_api_key(session, user_id=user.id, name=body.name)
    return TokenResponse(token=token, id=key.id, name=key.name, created_at=key.created_at)


@router.get("/tokens")
def list_tokens(user: CurrentUser, session: SessionDep) -> ApiKeysResponse:
    """The signed-in user's API keys (names and first characters only)."""
    return ApiKeysResponse(
        tokens=[
            ApiKeyOut(
                id=key.id,
                name=key.name,
                prefix=key.prefix,
                created_at=key.created_at,
                last_used_at=key.last_used_at,
            )
            for key in service.list_api_keys(session, user)
        ]
    )


@router.delete("/tokens/{key_id}", status_code=204)
def revoke_token(key_id: str, user: CurrentUser, session: SessionDep) -> None:
    """Revoke one of the signed-in user's API keys; it stops working at once."""
    service.revoke_api_key(session, user, key_id)


@router.get("/me")
async def me(user: CurrentUser) -> MeResponse:
    """The signed-in user, email included."""
    # No I/O here: run on the event loop rather than costing a hop to a worker thread.
    return MeResponse(user=Me.of(user))


@router.get("/me/invites")
def my_invites(user: CurrentUser, session: SessionDep) -> InvitesResponse:
    """The signed-in user's invite codes and who used each."""
    return InvitesResponse(
        invites=[
            InviteOut(
                code=invite.code,
                used_by=used_by.handle if used_by else None,
                created_at=invite.created_at,
                used_at=invite.used_at,
            )
            for invite, used_by in service.list_invites(session, user)
        ]
    )


@router.get("/users/{handle}")
def user_profile(handle: str, viewer: OptionalUser, session: SessionDep) -> UserResponse:
    """Anyone's public profile; not found across a block, either way."""
    return UserResponse(user=PublicUser.of(service.get_profile(session, viewer, handle)))
