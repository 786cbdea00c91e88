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
        declared = dict(scope.get("headers") or ()).get(b"content-length")
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
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                if exceeded:
                    # The app turned the interrupted read into an error of its own:
                    # answer with what really happened.
                    raise _BodyTooLarge
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            if started:
                raise
            await _too_large(scope, limit)(scope, receive, send)
