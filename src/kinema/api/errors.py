"""Every failure leaves as a JSON error body, never a traceback.

Native routes answer ``{"error": {"code", "message"}}`` (API.md). Other route families
(e.g. the OpenAI-compatible ``/v1``) register their own body shape by path prefix with
``register_error_format``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kinema.errors import KinemaError

log = logging.getLogger(__name__)

# (status, code, message, extra fields) -> JSON body
ErrorFormatter = Callable[[int, str, str, dict[str, Any]], dict[str, Any]]

_HTTP_CODES = {
    400: "bad_request",
    401: "not_signed_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "validation_failed",
    429: "rate_limited",
}
_HTTP_MESSAGES = {
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
}


def native_error_body(
    status: int, code: str, message: str, extra: dict[str, Any]
) -> dict[str, Any]:
    """The body from API.md: ``{"error": {"code": ..., "message": ..., **extra}}``."""
    return {"error": {"code": code, "message": message, **extra}}


_formatters: dict[str, ErrorFormatter] = {}


def register_error_format(prefix: str, formatter: ErrorFormatter) -> None:
    """Use ``formatter`` for errors on paths starting with ``prefix`` (longest wins)."""
    _formatters[prefix] = formatter


def _formatter_for(path: str) -> ErrorFormatter:
    matches = [prefix for prefix in _formatters if path.startswith(prefix)]
    if not matches:
        return native_error_body
    return _formatters[max(matches, key=len)]


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A JSON error response in the body shape that fits the request's path."""
    body = _formatter_for(request.url.path)(status, code, message, extra or {})
    return JSONResponse(body, status_code=status, headers=headers)


def _plain_details(details: dict[str, object]) -> dict[str, Any]:
    # Only simple values reach the client; anything else is for logs.
    return {k: v for k, v in details.items() if isinstance(v, str | int | float | bool)}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query"))
        message = str(error.get("msg", "is not valid"))
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "The request is not valid."


async def _kinema_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KinemaError)
    headers = {"Retry-After": "60"} if exc.status == 429 else None
    return error_response(
        request, exc.status, exc.code, exc.message, _plain_details(exc.details), headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, 422, "validation_failed", _validation_message(exc))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _HTTP_CODES.get(status, "error" if status < 500 else "internal_error")
    detail = exc.detail if isinstance(exc.detail, str) else None
    message = (
        _HTTP_MESSAGES.get(status)
        if detail in (None, "Not Found", "Method Not Allowed")
        else detail
    )
    return error_response(
        request,
        status,
        code,
        message or "The request could not be handled.",
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("Unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        request, 500, "internal_error", "Something went wrong on our side. Please try again."
    )


def install_error_handlers(app: FastAPI) -> None:
    """Turn domain errors, validation errors, HTTP errors and crashes into error bodies."""
    app.add_exception_handler(KinemaError, _kinema_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
