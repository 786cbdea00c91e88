"""Browser security: session and CSRF cookies, the CSRF check on unsafe methods, and
security headers.

CSRF uses the double-submit pattern: a readable ``kinema_csrf`` cookie, which the web
pages copy into an ``X-CSRF-Token`` header. Another site can make a browser send the
cookie, but cannot read it to forge the header. Requests authenticated by an API key
(``Authorization`` header) are not exposed to this and need no token.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from fastapi import Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kinema.accounts.service import SESSION_LIFETIME
from kinema.api.deps import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, request_scheme
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


# The interactive API reference (Swagger UI) loads its script and styles from the
# jsDelivr CDN and starts with one inline script: only that page gets this policy, with
# the inline script allowed by its hash rather than 'unsafe-inline'.
DOCS_PATH = "/api/docs"
_DOCS_CDN = "https://cdn.jsdelivr.net"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
HSTS = "max-age=31536000"


def docs_content_security_policy(page: bytes) -> str:
    """The policy for the API reference page, allowing exactly its inline scripts."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(page)
    )
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {_DOCS_CDN} {hashes}".strip(),
            f"style-src 'self' 'unsafe-inline' {_DOCS_CDN}",
            "img-src 'self' data: https://fastapi.tiangolo.com",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _is_api(path: str) -> bool:
    return path in ("/api", "/v1") or path.startswith(("/api/", "/v1/"))


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
        over_https = request_scheme(request) == "https"
        path = scope["path"]
        docs_start: list[Message] = []
        docs_body: list[bytes] = []

        async def send_docs(message: Message) -> None:
            # Hold the page until it is complete, to allow its inline script by hash.
            if message["type"] == "http.response.start":
                docs_start.append(message)
                return
            if message["type"] == "http.response.body" and docs_start:
                docs_body.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                page = b"".join(docs_body)
                headers = MutableHeaders(scope=docs_start[0])
                headers["Content-Security-Policy"] = docs_content_security_policy(page)
                await send_with_headers(docs_start[0])
                await send_with_headers({"type": "http.response.body", "body": page})
                return
            await send_with_headers(message)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                if over_https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                content_type = headers.get("content-type", "")
                if _is_api(path) and content_type.startswith("application/json"):
                    # Answers about accounts, drafts and keys must not sit in a shared
                    # or browser cache.
                    headers.setdefault("Cache-Control", "no-store")
                if content_type.startswith("text/html"):
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

        await self.app(scope, receive, send_docs if path == DOCS_PATH else send_with_headers)


class HeadMiddleware:
    """Answers HEAD wherever GET is answered (pages, media, ``/healthz``): the request
    is routed as GET and only the status and headers go back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def headers_only(message: Message) -> None:
            nonlocal finished
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body" and not finished:
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, headers_only)
