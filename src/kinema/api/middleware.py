"""Request-body limits for the whole app.

Every request body is capped (``KINEMA_MAX_BODY_BYTES``, 1 MiB by default: JSON and
forms). The routes that take files opt in to their larger limits by path, in
``create_app``. A declared ``Content-Length`` over the limit is refused with 413 before
anything is read; a body sent without one (chunked) is counted as it streams in and
refused the moment it passes the limit, so an oversized body is never parsed or held.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kinema.api.errors import error_response


@dataclass(frozen=True)
class BodyAllowance:
    """A larger body limit for requests whose method and path match."""

    method: str
    path: re.Pattern[str]
    limit: Callable[[], int]


class _BodyTooLarge(Exception):
    pass


class _NulInText(Exception):
    pass


# Text bodies (JSON, urlencoded forms) and addresses may not carry the NUL character:
# PostgreSQL cannot store it and no prompt, caption or id needs it. Files (multipart)
# are binary and pass.
_NUL_FORMS = {
    b"application/json": re.compile(rb"\x00|\\u0000", re.IGNORECASE),
    b"application/x-www-form-urlencoded": re.compile(rb"\x00|%00"),
}
_NUL_MESSAGE = "Text may not contain the NUL character (\\u0000)."


def _too_large(scope: Scope, limit: int) -> JSONResponse:
    megabytes = limit / 1_048_576
    shown = f"{megabytes:.0f} MB" if megabytes >= 1 else f"{limit // 1024} KB"
    return error_response(
        Request(scope),
        413,
        "too_large",
        f"The request body is larger than the {shown} this address accepts.",
    )


class BodyLimitMiddleware:
    """Refuses request bodies over the limit for their route with 413."""

    def __init__(
        self, app: ASGIApp, *, default_limit: int, allowances: Sequence[BodyAllowance] = ()
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.allowances = tuple(allowances)

    def limit_for(self, method: str, path: str) -> int:
        for allowance in self.allowances:
            if allowance.method == method and allowance.path.fullmatch(path):
                return allowance.limit()
        return self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        headers = dict(scope.get("headers") or ())
        forms = _NUL_FORMS[b"application/x-www-form-urlencoded"]
        if "\x00" in scope["path"] or forms.search(scope.get("query_string") or b""):
            await error_response(Request(scope), 400, "bad_request", _NUL_MESSAGE)(
                scope, receive, send)
            return
        nul = _NUL_FORMS.get((headers.get(b"content-type") or b"").split(b";")[0].strip().lower())
        declared = headers.get(b"content-length")
        if declared is not None:
            text = declared.decode("latin-1").strip()
            if not text.isdigit() or len(text) > 18:
                response = error_response(
                    Request(scope), 400, "bad_request", "The Content-Length header is not valid."
                )
                await response(scope, receive, send)
                return
            if int(text) > limit:
                await _too_large(scope, limit)(scope, receive, send)
                return

        received = 0
        exceeded: type[Exception] | None = None
        started = False
        tail = b""  # the end of the last chunk: "\u0000" may straddle two

        async def counting_receive() -> Message:
            nonlocal received, exceeded, tail
            message = await receive()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                received += len(body)
                if received > limit:
                    exceeded = _BodyTooLarge
                    raise _BodyTooLarge
                if nul is not None and nul.search(tail + body):
                    exceeded = _NulInText
                    raise _NulInText
                tail = body[-5:]
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                if exceeded is not None:
                    # The app turned the interrupted read into an error of its own:
                    # answer with what really happened.
                    raise exceeded
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            if started:
                raise
            await _too_large(scope, limit)(scope, receive, send)
        except _NulInText:
            if started:
                raise
            await error_response(Request(scope), 400, "bad_request", _NUL_MESSAGE)(
                scope, receive, send)
