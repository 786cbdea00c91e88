"""Domain errors. Services raise these; ``kinema.api.errors`` turns them into the error
body from API.md (``{"error": {"code", "message"}}``) with the status below."""

from __future__ import annotations


class KinemaError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class InvalidInput(KinemaError):
    status = 400
    code = "invalid_input"


class NotSignedIn(KinemaError):
    status = 401
    code = "not_signed_in"


class Forbidden(KinemaError):
    status = 403
    code = "forbidden"


class NotFound(KinemaError):
    """Also used for things that exist but the caller may not see."""

    status = 404
    code = "not_found"


class Conflict(KinemaError):
    status = 409
    code = "conflict"


class TooLarge(KinemaError):
    status = 413
    code = "too_large"


class ValidationFailed(KinemaError):
    status = 422
    code = "validation_failed"


class RateLimited(KinemaError):
    status = 429
    code = "rate_limited"


class QuotaExceeded(KinemaError):
    status = 429
    code = "quota_exceeded"


class ModerationBlocked(KinemaError):
    """A request refused by moderation; ``category`` says which rule."""

    status = 400
    code = "moderation_blocked"

    def __init__(self, message: str, *, category: str) -> None:
        super().__init__(message, category=category)
        self.category = category
