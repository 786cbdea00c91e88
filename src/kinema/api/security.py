"""Browser security: session and CSRF cookies, the CSRF check on unsafe methods, and
security headers.

CSRF uses the double-submit pattern: a readable ``kinema_csrf`` cookie, which the web
pages copy into an ``X-CSRF-Token`` header. Another site can make a browser send the
cookie, but cannot read it to forge the header. Requests authenticated by an API key
(``Authorization`` header) are not exposed to this and need no token.
"""

from __future__ import annotations

import secrets

from fastapi import Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kinema.accounts.service import SESSION_LIFETIME
from kinema.api.deps import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from kinema.api.errors import error_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Pages load scripts, styles, images and media from this origin only; inline styles are
# allowed for small per-element layout, inline scripts are not.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _csrf_cookie_header(token: str, secure: bool) -> str:
    response = Response()
    response.set_cookie(CSRF_COOKIE, token, path="/", samesite="lax", secure=secure)
    return response.headers["set-cookie"]


def set_session_cookies(response: Response, session_token: str, *, secure: bool) -> None:
    """Give the browser its session cookie (HttpOnly) and a fresh CSRF token."""
    max_age = int(SESSION_LIFETIME.total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        session_token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    response.set_cookie(
        CSRF_COOKIE, secrets.token_urlsafe(24), path="/", samesite="lax", secure=secure
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)


class SecurityMiddleware:
    """Refuses cookie-authenticated unsafe requests without a matching CSRF header,
    adds security headers, and hands a CSRF cookie to browsers that lack one."""

    def __init__(self, app: ASGIApp, *, cookie_secure: bool) -> None:
        self.app = app
        self.cookie_secure = cookie_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        cookies = request.cookies
        method = scope["method"]
        if (
            method not in SAFE_METHODS
            and SESSION_COOKIE in cookies
            and "authorization" not in request.headers
        ):
            sent = request.headers.get(CSRF_HEADER, "")
            expected = cookies.get(CSRF_COOKIE, "")
            if not sent or not expected or not secrets.compare_digest(sent, expected):
                response = error_response(
                    request,
                    403,
                    "csrf_failed",
                    "The request is missing its security token. Reload the page and try again.",
                )
                await response(scope, receive, send)
                return

        wants_csrf_cookie = method == "GET" and CSRF_COOKIE not in cookies

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                    headers.setdefault("X-Frame-Options", "DENY")
                    already = any(
                        value.startswith(f"{CSRF_COOKIE}=")
                        for value in headers.getlist("set-cookie")
                    )
                    if wants_csrf_cookie and not already:
                        headers.append(
                            "set-cookie",
                            _csrf_cookie_header(secrets.token_urlsafe(24), self.cookie_secure),
                        )
            await send(message)

        await self.app(scope, receive, send_with_headers)
