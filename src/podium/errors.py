"""The one error model: domain errors with a code, mapped to HTTP in one place.

Services raise these; ``api.errors`` turns them into
``{"error": {"code", "message", "details"}}`` responses, the CLI prints them.
"""

from __future__ import annotations

from typing import Any


class PodiumError(Exception):
    """Base of every error a user can cause."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code


class BadRequest(PodiumError):
    code = "bad_request"
    status = 400


class Unauthorized(PodiumError):
    code = "unauthorized"
    status = 401


class Forbidden(PodiumError):
    code = "forbidden"
    status = 403


class NotFound(PodiumError):
    code = "not_found"
    status = 404


class Conflict(PodiumError):
    code = "conflict"
    status = 409


class TooManyAttempts(PodiumError):
    """Too many failed attempts in a while; ``retry_after`` seconds until the next is heard."""

    code = "too_many_attempts"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class StaleVersion(PodiumError):
    code = "stale_version"
    status = 412


class ValidationFailed(PodiumError):
    """Invalid input; ``details`` is a list of ``{"field", "message"}``."""

    code = "validation_failed"
    status = 422


class PayloadTooLarge(PodiumError):
    code = "payload_too_large"
    status = 413


def field_error(field: str, message: str) -> ValidationFailed:
    """A validation error about one named field."""
    return ValidationFailed(f"{field}: {message}", details=[{"field": field, "message": message}])
