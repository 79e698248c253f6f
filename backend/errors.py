"""Errors that services raise and the app turns into 4xx answers.

Services know nothing of HTTP: they raise these with the field at fault, a sentence a
person can act on, a stable ``code`` (snake_case: the PWA says each code in Chinese or
English, pwa/src/errors.js) and the ``params`` the sentence uses; ``backend.app`` renders
them in Litestar's own error shape (``{"status_code", "detail", "code", "extra": [{"key",
"message", "code", "params"}]}``) so that body validation errors and domain errors look
alike to the PWA. tests/api/test_error_codes.py fails on a code the PWA cannot say.
"""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, field: str | None = None, *, code: str, params: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.params = params or {}


class Invalid(DomainError):
    """The request breaks a rule (a bad check character, an unknown region…)."""


class Unauthenticated(DomainError):
    """Not signed in, or a sign-in ceremony failed."""

    status_code = 401


class Forbidden(DomainError):
    """Signed in, but this role may not do this."""

    status_code = 403


class Gone(DomainError):
    """The thing existed but can no longer be used (an expired or used invitation)."""

    status_code = 410


class TooManyRequests(DomainError):
    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, code="too_many_attempts", params={"seconds": retry_after})
        self.retry_after = retry_after


class TooLarge(DomainError):
    status_code = 413


class Unsupported(DomainError):
    """A file of a type the product does not take."""

    status_code = 415


class NotFound(DomainError):
    """No such record in the caller's scope (records outside it are not revealed)."""

    status_code = 404


class Conflict(DomainError):
    """The request collides with an existing record (a duplicate USCC…)."""

    status_code = 409
