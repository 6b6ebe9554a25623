"""The one error shape every emulated API answers with, and the JSON responses around it.

Emulators raise :class:`ApiError` anywhere in a handler; the request pipeline turns it into the platform's
documented body ``{"code", "message", "errors": {field: [messages]}}``. Starlette's own 404 and 405 go
through the same shape, so a client never meets an HTML or plain-text error from a sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

FieldErrors = dict[str, list[str]]

_CODES = {
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    422: "VALIDATION_ERROR",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
}


def code_for(status: int) -> str:
    """The code a status carries when nothing more specific applies: ``503`` -> ``SERVICE_UNAVAILABLE``."""
    if status in _CODES:
        return _CODES[status]
    try:
        return HTTPStatus(status).phrase.upper().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "ERROR"


class ApiError(Exception):
    """A refusal the emulated platform would send; raised by handlers, answered by the pipeline."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        errors: Mapping[str, Sequence[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code or code_for(status)
        self.message = message
        self.errors: FieldErrors = {k: list(v) for k, v in (errors or {}).items()}
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        return error_response(
            self.status, self.message, code=self.code, errors=self.errors, headers=self.headers
        )


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {
        "code": code or code_for(status),
        "message": message,
        "errors": {k: list(v) for k, v in (errors or {}).items()},
    }
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def invalid(errors: Mapping[str, Sequence[str]], message: str = "The given data was invalid.") -> ApiError:
    """A 422 naming every offending field at once."""
    return ApiError(422, message, errors=errors)


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def data(payload: Mapping[str, Any], status: int = 200) -> JSONResponse:
    """The documented success envelope ``{"data": {...}}``."""
    return JSONResponse({"data": dict(payload)}, status_code=status)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette's routing errors (unknown path, wrong method) in the platform's error shape."""
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        message = f"no route {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"method {request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    return error_response(exc.status_code, message, headers=headers)


async def api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def server_error_handler(request: Request, exc: Exception) -> Response:
    return error_response(500, "internal error in the sandbox")


EXCEPTION_HANDLERS = {
    HTTPException: http_exception_handler,
    ApiError: api_error_handler,
    Exception: server_error_handler,
}
