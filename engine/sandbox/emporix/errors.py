"""Each Emporix service's own error body, and the gateway's 401.

The services share no error shape, so a refusal is raised once as an :class:`EmporixError` (status,
message, field messages) and drawn here in the shape the answering service documents:

* product: ``{"code", "status", "message"}`` (``coreErrorMessage``), with ``details`` of
  ``{"field", "type", "message"}`` when fields are at fault, and ``productId`` on a missing product;
* category: ``{"code", "status", "message", "details": [text]}`` (``ErrorResponse``, every key present);
* price and media: ``{"code", "status", "message", "details": [text]}`` (``errorMessage``);
* coupon: ``{"status", "type", "message", "details": [{"field", "type", "message"}]}`` with a
  lower-case ``type`` such as ``validation_failure``;
* oauth: the OAuth 2.0 error body ``{"error", "error_description"}`` (RFC 6749, section 5.2), since the
  service's reference documents only its success;
* any other 401: the API gateway's ``{"fault": {"faultstring": "Invalid access token", "detail":
  {"errorcode": "oauth.v2.InvalidAccessToken"}}}``, whatever made the token unusable.

``status`` is the HTTP reason phrase (``Bad Request``), as the references' examples show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.api import Endpoint
from engine.sandbox.emporix.exact_json import JsonResponse
from engine.sandbox.responses import ApiError

GATEWAY_FAULT: Mapping[str, Any] = {
    "fault": {"faultstring": "Invalid access token", "detail": {"errorcode": "oauth.v2.InvalidAccessToken"}}
}

_COUPON_TYPES = {
    400: "validation_failure",
    403: "insufficient_permissions",
    404: "element_resource_non_existing",
    405: "method_not_allowed",
    409: "conflict_resource",
    413: "payload_too_large",
    429: "too_many_requests",
}


class EmporixError(ApiError):
    """A refusal by an Emporix service. ``extra`` holds service-specific keys of the error body
    (``productId``, ``resourceId``, the OAuth ``error`` code)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: Mapping[str, Sequence[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ):
        super().__init__(status, message, errors=errors, headers=headers)
        self.extra: dict[str, Any] = dict(extra or {})


def bad_request(message: str, errors: Mapping[str, Sequence[str]] | None = None) -> EmporixError:
    return EmporixError(400, message, errors=errors)


def invalid_field(field: str, message: str) -> EmporixError:
    """A 400 naming one field of the request."""
    return EmporixError(400, "Validation problem with request body.", errors={field: [message]})


def not_found(message: str, **extra: Any) -> EmporixError:
    return EmporixError(404, message, extra=extra)


def conflict(message: str) -> EmporixError:
    return EmporixError(409, message)


def forbidden(message: str) -> EmporixError:
    return EmporixError(403, message)


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def service_of(template: str) -> str:
    """``/product/{tenant}/products`` -> ``product``."""
    return template.strip("/").split("/", 1)[0]


def _detail_type(message: str) -> str:
    if message == "required":
        return "missing_value"
    if message == "unknown field":
        return "unknown_field"
    return "invalid_value"


def error_body(service: str, error: ApiError) -> dict[str, Any]:
    """The body ``service`` answers ``error`` with."""
    extra = getattr(error, "extra", {})
    status, message = error.status, error.message
    pairs = [(field, text) for field, texts in error.errors.items() for text in texts]
    if service == "oauth":
        return {"error": extra.get("error", "invalid_request"), "error_description": message}
    if service == "coupon":
        return {
            "status": status,
            "type": _COUPON_TYPES.get(status, "internal_service_error" if status >= 500 else "request_error"),
            "message": message,
            "details": [{"field": f, "type": _detail_type(t), "message": t} for f, t in pairs],
        }
    body: dict[str, Any] = {"code": status, "status": phrase(status), "message": message}
    if service == "product":
        if pairs:
            body["details"] = [{"field": f, "type": _detail_type(t), "message": t} for f, t in pairs]
    else:
        body["details"] = [f"{f}: {t}" for f, t in pairs]
    body.update({k: v for k, v in extra.items() if k != "error"})
    return body


def render(ep: Endpoint, error: ApiError) -> Response:
    """The pipeline's hook: ``error`` in the shape of the service that ``ep`` belongs to."""
    service = service_of(ep.template)
    body = GATEWAY_FAULT if error.status == 401 and service != "oauth" else error_body(service, error)
    return JsonResponse(body, status_code=error.status, headers=error.headers)


async def routing_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods, answered like the product service's core errors."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"No resource found for {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"Method {request.method} is not supported on {request.url.path}"
    else:
        message = str(exc.detail)
    body = {"code": exc.status_code, "status": phrase(exc.status_code), "message": message}
    return JsonResponse(body, status_code=exc.status_code, headers=dict(exc.headers or {}))


async def control_error(request: Request, exc: Exception) -> Response:
    """Control API refusals keep the shared sandbox shape: they are no part of Emporix."""
    assert isinstance(exc, ApiError)
    return exc.response()


async def server_error(request: Request, exc: Exception) -> Response:
    body = {"code": 500, "status": phrase(500), "message": "internal error in the sandbox"}
    return JsonResponse(body, status_code=500)
