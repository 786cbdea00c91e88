"""Every failure leaves as a JSON error body, never a traceback.

Native routes answer ``{"error": {"code", "message"}}`` (API.md). Other route families
(e.g. the OpenAI-compatible ``/v1``) register their own body shape by path prefix with
``register_error_format``. The one exception: a browser asking for an address outside
``/api`` and ``/v1`` that does not exist gets the web app's 404 page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
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
# Addresses of the programmatic interfaces: these always answer with an error body.
_API_PREFIXES = ("/api", "/v1")
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
    headers = None
    if exc.status == 429:
        wait = exc.details.get("retry_after", 60)
        headers = {"Retry-After": str(wait if isinstance(wait, int) else 60)}
    return error_response(
        request, exc.status, exc.code, exc.message, _plain_details(exc.details), headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, 422, "validation_failed", _validation_message(exc))


def _is_api_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in _API_PREFIXES)


def _quality(media_range: str) -> tuple[str, float]:
    """``"text/html;q=0.9"`` -> ``("text/html", 0.9)``; a malformed weight counts as 0."""
    kind, *params = (part.strip() for part in media_range.split(";"))
    weight = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
    return kind.lower(), weight


def prefers_html(request: Request) -> bool:
    """Whether the request names ``text/html`` in its Accept header at least as strongly
    as JSON: what browsers send when they navigate. ``*/*`` alone (scripts, ``fetch``)
    is not a preference for a page."""
    weights: dict[str, float] = {}
    for media_range in request.headers.get("accept", "").split(","):
        if media_range.strip():
            kind, weight = _quality(media_range)
            weights[kind] = max(weight, weights.get(kind, 0.0))
    html = weights.get("text/html", 0.0)
    return html > 0 and html >= weights.get("application/json", 0.0)


def _is_unknown_page(request: Request) -> bool:
    """Whether the request only reached the web app's catch-all for unknown addresses
    (which answers GET alone, so any other method on it would read as 405)."""
    from kinema.web.pages import unknown_page

    return request.scope.get("endpoint") is unknown_page


async def _page_not_found(request: Request) -> Response | None:
    """The web app's 404 page, or None when it cannot be drawn (a JSON body is then
    still better than nothing)."""
    try:
        from kinema.web.pages import not_found_page

        # It reads who is signed in from the database: off the event loop.
        page: Response = await run_in_threadpool(not_found_page, request)
        return page
    except Exception:
        log.exception("Could not draw the 404 page for %s", request.url.path)
        return None


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    headers = dict(exc.headers) if exc.headers else None
    if status == 405 and _is_unknown_page(request):
        # No page lives at a one-segment address the catch-all took: nothing is here.
        status, headers = 404, None
    if status == 404 and not _is_api_path(request.url.path) and prefers_html(request):
        page = await _page_not_found(request)
        if page is not None:
            return page
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
        headers=headers,
    )


async def _number_out_of_range(request: Request, exc: Exception) -> JSONResponse:
    # A number too large for the database column (e.g. an id or cursor of 2^64): the
    # caller's mistake, wherever validation missed it.
    return error_response(
        request, 400, "number_out_of_range", "A number in the request is out of range."
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
    app.add_exception_handler(OverflowError, _number_out_of_range)
    app.add_exception_handler(Exception, _unexpected_error)
