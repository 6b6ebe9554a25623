"""Service access tokens (``POST /oauth/token``), the tenant check and scopes, as the gateway applies them.

* The token endpoint takes a form-encoded ``grant_type=client_credentials``, ``client_id``,
  ``client_secret`` and optional ``scope`` (space-separated scopes, optionally ``tenant=<tenant>``).
  Without ``scope`` the token gets every scope of the client; asking for a scope the client does not
  have, or for another tenant, is ``400 invalid_scope``. Errors follow RFC 6749 section 5.2: wrong
  credentials ``401 invalid_client``, another grant ``400 unsupported_grant_type``, a malformed request
  ``400 invalid_request``. Tokens are random, stored as digests with their expiry, and last
  ``token_ttl`` seconds (14399 by default, as the service answers); there is no refresh token.
* Every other call needs ``Authorization: Bearer <token>``: missing, unknown or expired tokens are the
  gateway's 401. The ``{tenant}`` of the path must be the token's tenant, else 403 in the answering
  service's error shape.
* Scopes follow each operation's ``security`` section, read with its "additional scope information":
  listed scopes that are "only required if ..." are checked only in that case (publishing, unpublished
  items, forced deletes). The ``*_by_vendor`` scopes grant nothing here: the sandbox has no vendors.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection, Mapping

from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.api import Endpoint, Handler, Sandbox
from engine.sandbox.auth import Principal
from engine.sandbox.emporix.errors import EmporixError, forbidden
from engine.sandbox.emporix.exact_json import JsonResponse

SCOPES: tuple[str, ...] = (
    "product.product_manage",
    "product.product_manage_by_vendor",
    "product.product_publish",
    "product.product_unpublish",
    "product.product_read_unpublished",
    "product.product_read_by_vendor",
    "product.product_template_read",
    "product.product_template_manage",
    "category.category_manage",
    "category.category_publish",
    "category.category_unpublish",
    "category.category_read_unpublished",
    "price.price_read",
    "price.price_manage",
    "price.price_read_by_vendor",
    "price.price_manage_by_vendor",
    "price.pricemodel_read",
    "price.pricemodel_manage",
    "price.pricemodel_manage_admin",
    "media.asset_read",
    "media.asset_manage",
    "media.asset_read_by_vendor",
    "media.asset_manage_by_vendor",
    "coupon.coupon_read",
    "coupon.coupon_manage",
    "coupon.coupon_redeem_on_behalf",
)
ALL_SCOPES = frozenset(SCOPES)
DEFAULT_TTL = 14399
SESSION_IDLE_TIME = 120
DEFAULT_CLIENTS: Mapping[str, tuple[str, Collection[str] | None]] = {"sandbox": ("sandbox", None)}
_FORM_FIELDS = ("grant_type", "client_id", "client_secret", "scope")


def _oauth_error(status: int, code: str, description: str) -> EmporixError:
    return EmporixError(status, description, extra={"error": code})


def token_endpoint(
    sandbox: Sandbox, clients: Mapping[str, tuple[str, Collection[str] | None]], tenant: str, ttl: int
) -> Endpoint:
    async def issue(request: Request, principal: Principal | None) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise _oauth_error(400, "invalid_request", "the body must be application/x-www-form-urlencoded")
        form = await request.form()
        unknown = sorted(set(form.keys()) - set(_FORM_FIELDS))
        if unknown:
            raise _oauth_error(400, "invalid_request", f"unknown parameter(s): {', '.join(unknown)}")
        values = {name: str(form.get(name) or "") for name in _FORM_FIELDS}
        if not values["grant_type"]:
            raise _oauth_error(400, "invalid_request", "grant_type is required")
        if values["grant_type"] != "client_credentials":
            raise _oauth_error(400, "unsupported_grant_type", "only client_credentials is supported")
        client = clients.get(values["client_id"])
        if client is None or not hmac.compare_digest(client[0].encode(), values["client_secret"].encode()):
            raise _oauth_error(401, "invalid_client", "client authentication failed")
        allowed = ALL_SCOPES if client[1] is None else frozenset(client[1])
        asked = values["scope"].split()
        for word in asked:
            if word.startswith("tenant=") and word != f"tenant={tenant}":
                raise _oauth_error(400, "invalid_scope", f"the client is not registered for {word}")
        wanted = {word for word in asked if not word.startswith("tenant=")}
        if wanted - allowed:
            missing = ", ".join(sorted(wanted - allowed))
            raise _oauth_error(400, "invalid_scope", f"scope(s) not granted to the client: {missing}")
        granted = sorted(wanted or allowed)
        token = sandbox.tokens.issue(granted, ttl=ttl, install_id=tenant)
        return JsonResponse(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": ttl,
                "session_idle_time": SESSION_IDLE_TIME,
                "refresh_token": "",
                "refresh_token_expires_in": 0,
                "scope": " ".join([*granted, f"tenant={tenant}"]),
            }
        )

    return Endpoint("POST", "/oauth/token", issue, auth=False, write=False)


def tenant_check(request: Request, principal: Principal) -> None:
    """The pipeline's authorize hook: the path's tenant must be the one the token was issued for."""
    tenant = request.path_params.get("tenant")
    if tenant is not None and tenant != principal.install_id:
        raise forbidden(f"The access token is not valid for tenant {tenant}.")


def has(principal: Principal | None, scope: str) -> bool:
    return principal is not None and scope in principal.permissions


def require(principal: Principal | None, *scopes: str, why: str = "") -> None:
    """403 unless the token holds one of ``scopes``."""
    if principal is None or not principal.permissions.intersection(scopes):
        needed = " or ".join(scopes)
        raise forbidden(f"Insufficient scopes: {needed} is required{' ' + why if why else ''}.")


def scoped(handler: Handler, *scopes: str) -> Handler:
    """``handler`` behind a check that the token holds one of ``scopes`` (none: any valid token)."""
    if not scopes:
        return handler

    async def guarded(request: Request, principal: Principal | None) -> Response:
        require(principal, *scopes)
        return await handler(request, principal)

    return guarded
