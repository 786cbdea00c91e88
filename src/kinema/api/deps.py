"""Request dependencies, as annotated aliases: ``SessionDep``, ``RuntimeDep``,
``SettingsDep``, ``CurrentUser`` and ``OptionalUser``.

A request is authenticated by the ``kinema_session`` cookie (browsers; CSRF is checked
by ``kinema.api.security``) or by ``Authorization: Bearer <api key>`` (clients).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from kinema.accounts import service as accounts
from kinema.accounts.models import User
from kinema.db import transaction
from kinema.errors import Forbidden, NotSignedIn
from kinema.runtime import Runtime
from kinema.settings import Settings

SESSION_COOKIE = "kinema_session"
CSRF_COOKIE = "kinema_csrf"
CSRF_HEADER = "X-CSRF-Token"


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_settings(request: Request) -> Settings:
    return get_runtime(request).settings


def get_session(request: Request) -> Iterator[Session]:
    """One database session per request: committed when the handler returns normally,
    rolled back on any error, so a request that fails changes nothing."""
    with transaction(get_runtime(request).sessions) as session:
        yield session


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
# scope="function": commit before the response goes out, so a client that gets a
# success answer can rely on its change being stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _from_trusted_proxy(request: Request) -> bool:
    peer = request.client.host if request.client else None
    networks = get_settings(request).trusted_proxy_networks
    if peer is None or not networks:
        return False
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in networks)


def client_ip(request: Request) -> str | None:
    """The caller's address. ``X-Forwarded-For`` counts only when the request comes
    from a proxy listed in ``KINEMA_TRUSTED_PROXIES``; then the address is the last one
    in the chain that is not itself a trusted proxy (entries further left were written
    by the client and prove nothing)."""
    peer = request.client.host if request.client else None
    if not _from_trusted_proxy(request):
        return peer
    networks = get_settings(request).trusted_proxy_networks
    chain = [
        part.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for part in header.split(",")
    ]
    for entry in reversed(chain):
        try:
            address = ipaddress.ip_address(entry)
        except ValueError:
            return peer  # a garbled chain: fall back to the proxy itself
        if not any(address in network for network in networks):
            return str(address)
    return peer


def request_scheme(request: Request) -> str:
    """``https`` or ``http`` as the client used it (``X-Forwarded-Proto`` from a
    trusted proxy counts)."""
    if _from_trusted_proxy(request):
        forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        if forwarded in ("http", "https"):
            return forwarded
    return request.url.scheme


def bearer_token(request: Request) -> str | None:
    """The API key from ``Authorization: Bearer ...``, if the header is there."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotSignedIn(
            "Send the API key as 'Authorization: Bearer <key>'.", code="invalid_api_key"
        )
    return token.strip()


def optional_user(request: Request, session: SessionDep) -> User | None:
    """The signed-in user, or None for an anonymous request. A bad API key is an error
    rather than anonymity, so a script with a typo learns about it."""
    token = bearer_token(request)
    user: User | None
    if token is not None:
        user = accounts.authenticate_api_key(session, token)
        if user is None:
            raise NotSignedIn("That API key is not valid.", code="invalid_api_key")
        # Its own transaction, committed at once: on SQLite, a write held open for the
        # whole request would block the request's other connections (queue, limits).
        with transaction(get_runtime(request).sessions) as own:
            accounts.record_api_key_use(own, token)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        user = accounts.user_for_session(session, cookie) if cookie else None
    if user is not None and user.is_suspended:
        raise Forbidden("This account is suspended.", code="account_suspended")
    return user


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    """The signed-in user; 401 ``not_signed_in`` otherwise."""
    if user is None:
        raise NotSignedIn("Sign in first.")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
