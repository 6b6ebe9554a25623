"""engine.http against a small Starlette app of its own, through real HTTP semantics in-process."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import urllib.parse
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engine.errors import AuthError, PlatformError
from engine.http import BearerAuth, HttpClient, Token, TokenAuth, create_once, decode_json
from engine.secrets import Secret

SECRET_TOKEN = "tok-7f3a9c1e-very-secret"


class Shop:
    """A tiny API whose answers each test scripts: a queue of (status, body, headers) per route."""

    def __init__(self) -> None:
        self.script: dict[str, list[tuple[int, Any, dict[str, str]]]] = {}
        self.hits: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self.valid_tokens = {SECRET_TOKEN}
        self.tokens_issued = 0
        self.created: list[str] = []
        self.seen_auth: list[str | None] = []
        self.reject_all = False

    def then(self, route: str, status: int, body: Any = None, **headers: str) -> None:
        self.script.setdefault(route, []).append((status, body, headers))

    def app(self) -> Starlette:
        async def scripted(request: Request) -> Response:
            route = f"{request.method} {request.url.path}"
            self.hits[route] += 1
            self.seen_auth.append(request.headers.get("authorization"))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                await asyncio.sleep(0.002)
                queue = self.script.get(route)
                if queue:
                    status, body, headers = queue.pop(0)
                    return JSONResponse(body if body is not None else {}, status_code=status, headers=headers)
                return JSONResponse({"data": {"ok": True, "price": 29.99}})
            finally:
                self.in_flight -= 1

        async def guarded(request: Request) -> Response:
            self.hits["GET /guarded"] += 1
            auth = request.headers.get("authorization", "")
            if self.reject_all or auth.removeprefix("Bearer ") not in self.valid_tokens:
                return JSONResponse({"code": "UNAUTHENTICATED", "message": "bad token"}, status_code=401)
            return JSONResponse({"data": {"ok": True}})

        async def token(request: Request) -> Response:
            body = await request.json()
            if body.get("client_secret") != "s3cr3t-client":
                return JSONResponse({"code": "INVALID_CLIENT", "message": "no"}, status_code=401)
            self.tokens_issued += 1
            await asyncio.sleep(0.005)
            value = f"issued-{self.tokens_issued}"
            self.valid_tokens = {value}
            return JSONResponse({"data": {"token": value, "expires_in": 3600}})

        async def create(request: Request) -> Response:
            body = await request.json()
            self.hits["POST /things"] += 1
            self.created.append(body["key"])
            queue = self.script.get("POST /things")
            if queue:
                status, payload, headers = queue.pop(0)
                return JSONResponse(payload or {}, status_code=status, headers=headers)
            return JSONResponse({"data": {"key": body["key"]}}, status_code=201)

        return Starlette(
            routes=[
                Route("/api/guarded", guarded),
                Route("/api/token", token, methods=["POST"]),
                Route("/api/things", create, methods=["POST"]),
                Route("/api/{path:path}", scripted, methods=["GET", "POST", "PUT", "DELETE"]),
            ]
        )


class Sleeps:
    """Records the delays the client asked for instead of waiting them."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture
def shop() -> Shop:
    return Shop()


def client(
    shop: Shop, *, transport: httpx.AsyncBaseTransport | None = None, sleep: Sleeps | None = None, **kw: Any
) -> HttpClient:
    kw.setdefault("backoff", 0.001)
    return HttpClient(
        "http://shop.test/api",
        transport=transport or httpx.ASGITransport(app=shop.app()),
        sleep=sleep or Sleeps(),
        **kw,
    )


async def test_get_is_retried_on_503_honouring_retry_after_seconds(shop: Shop) -> None:
    shop.then("GET /api/product", 503, {"code": "DOWN", "message": "maintenance"}, **{"Retry-After": "7"})
    shop.then("GET /api/product", 502)
    sleeps = Sleeps()
    async with client(shop, sleep=sleeps) as http:
        response = await http.request("GET", "/product", params={"page": 1})
    assert response.status_code == 200
    assert shop.hits["GET /api/product"] == 3
    assert sleeps.delays[0] == 7.0
    assert 0 < sleeps.delays[1] < 0.01


async def test_retry_after_as_http_date_is_honoured_and_capped(shop: Shop) -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    later = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    shop.then("GET /api/x", 429, **{"Retry-After": soon})
    shop.then("GET /api/x", 429, **{"Retry-After": later})
    sleeps = Sleeps()
    async with client(shop, sleep=sleeps, max_delay=60.0) as http:
        await http.request("GET", "/x")
    assert 25 < sleeps.delays[0] <= 30
    assert sleeps.delays[1] == 60.0


async def test_backoff_grows_exponentially_until_attempts_run_out(shop: Shop) -> None:
    for _ in range(4):
        shop.then("GET /api/x", 500, {"code": "BOOM", "message": "internal"})
    sleeps = Sleeps()
    async with client(shop, sleep=sleeps, backoff=1.0, max_attempts=4) as http:
        with pytest.raises(PlatformError) as caught:
            await http.request("GET", "/x")
    assert shop.hits["GET /api/x"] == 4
    assert len(sleeps.delays) == 3
    for attempt, delay in enumerate(sleeps.delays, start=1):
        assert 0.5 * 2 ** (attempt - 1) <= delay <= 1.5 * 2 ** (attempt - 1)
    assert caught.value.status == 500
    assert "GET /x failed with 500 BOOM: internal" in str(caught.value)


async def test_post_is_not_retried_blindly_on_5xx(shop: Shop) -> None:
    shop.then("POST /api/orders", 503, {"code": "DOWN", "message": "try later"}, **{"Retry-After": "0"})
    async with client(shop) as http:
        with pytest.raises(PlatformError) as caught:
            await http.request("POST", "/orders", json={"a": 1})
    assert shop.hits["POST /api/orders"] == 1
    assert caught.value.status == 503


async def test_post_is_retried_on_429_which_refuses_before_acting(shop: Shop) -> None:
    shop.then("POST /api/orders", 429, {"code": "RATE", "message": "slow down"}, **{"Retry-After": "1"})
    sleeps = Sleeps()
    async with client(shop, sleep=sleeps) as http:
        response = await http.request("POST", "/orders", json={"a": 1})
    assert response.status_code == 200
    assert shop.hits["POST /api/orders"] == 2
    assert sleeps.delays == [1.0]


async def test_explicitly_idempotent_post_is_retried(shop: Shop) -> None:
    shop.then("POST /api/orders", 504)
    async with client(shop) as http:
        await http.request("POST", "/orders", json={}, idempotent=True)
    assert shop.hits["POST /api/orders"] == 2


async def test_validation_error_names_code_message_and_fields_but_no_query_values(shop: Shop) -> None:
    shop.then(
        "GET /api/x",
        422,
        {"code": "VALIDATION_FAILED", "message": "Invalid data", "errors": {"slug": ["taken", "too long"]}},
    )
    async with client(shop, where="shop") as http:
        with pytest.raises(PlatformError) as caught:
            await http.request("GET", "/x", params={"api_key": "q-secret-value"})
    text = str(caught.value)
    assert text.startswith("shop: GET /x failed with 422 VALIDATION_FAILED: Invalid data")
    assert "slug: taken" in text and "slug: too long" in text
    assert "q-secret-value" not in text and "api_key" not in text
    assert shop.hits["GET /api/x"] == 1


class Flaky(httpx.AsyncBaseTransport):
    """A network that fails the first requests with the given errors, then delivers."""

    def __init__(self, inner: httpx.AsyncBaseTransport, errors: list[Exception]):
        self.inner = inner
        self.errors = errors
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return await self.inner.handle_async_request(request)


async def test_timeouts_and_connection_errors_are_retried_for_get(shop: Shop) -> None:
    net = Flaky(
        httpx.ASGITransport(app=shop.app()), [httpx.ReadTimeout("slow"), httpx.ConnectError("refused")]
    )
    async with client(shop, transport=net) as http:
        response = await http.request("GET", "/x")
    assert response.status_code == 200
    assert net.calls == 3


async def test_post_read_timeout_is_not_retried_but_connect_error_is(shop: Shop) -> None:
    net = Flaky(
        httpx.ASGITransport(app=shop.app()), [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")]
    )
    async with client(shop, transport=net) as http:
        with pytest.raises(PlatformError) as caught:
            await http.request("POST", "/orders", json={})
    assert net.calls == 2
    assert caught.value.status is None
    assert "POST /orders timed out" in str(caught.value)


async def test_concurrency_is_bounded_per_client(shop: Shop) -> None:
    async with client(shop, concurrency=3) as http:
        await asyncio.gather(*(http.request("GET", f"/item/{i}") for i in range(12)))
    assert shop.max_in_flight == 3


async def test_401_with_a_fixed_token_is_an_auth_error_without_the_token(shop: Shop) -> None:
    auth = BearerAuth(Secret("wrong-token-123456"))
    async with client(shop, auth=auth) as http:
        with pytest.raises(AuthError) as caught:
            await http.request("GET", "/guarded")
    assert "the token was rejected" in str(caught.value)
    assert "wrong-token-123456" not in str(caught.value) + repr(caught.value) + repr(auth) + repr(http)
    assert shop.hits["GET /guarded"] == 1


def credentials(counter: list[int], secret: str = "s3cr3t-client") -> TokenAuth:
    async def fetch(http: HttpClient) -> Token:
        counter.append(1)
        response = await http.request(
            "POST", "/token", json={"client_secret": secret}, idempotent=True, authenticate=False
        )
        data = decode_json(response)["data"]
        return Token(Secret(data["token"]), data["expires_in"])

    return TokenAuth(fetch, extra_secrets=(Secret(secret),))


async def test_client_credentials_share_one_token_fetch_among_concurrent_requests(shop: Shop) -> None:
    fetches: list[int] = []
    async with client(shop, auth=credentials(fetches)) as http:
        await asyncio.gather(*(http.request("GET", "/guarded") for _ in range(10)))
    assert shop.tokens_issued == 1
    assert len(fetches) == 1


async def test_a_401_refreshes_the_token_once_and_replays_once(shop: Shop) -> None:
    fetches: list[int] = []
    async with client(shop, auth=credentials(fetches)) as http:
        await http.request("GET", "/guarded")
        shop.valid_tokens = {"rotated-elsewhere"}  # every token held is now revoked, one new one works
        await asyncio.gather(*(http.request("GET", "/guarded") for _ in range(5)))
        assert shop.tokens_issued == 2
        shop.reject_all = True  # nothing is accepted: one refresh, one replay, then an AuthError
        hits = shop.hits["GET /guarded"]
        with pytest.raises(AuthError):
            await http.request("GET", "/guarded")
    assert shop.hits["GET /guarded"] - hits == 2
    assert shop.tokens_issued == 3


async def test_a_rejected_post_is_replayed_after_refresh(shop: Shop) -> None:
    fetches: list[int] = []
    auth = credentials(fetches)
    async with client(shop, auth=auth) as http:
        await http.request("GET", "/guarded")
        shop.then("POST /api/orders", 401, {"code": "UNAUTHENTICATED", "message": "expired"})
        response = await http.request("POST", "/orders", json={})
    assert response.status_code == 200
    assert shop.hits["POST /api/orders"] == 2
    assert shop.tokens_issued == 2


async def test_403_names_the_missing_permission(shop: Shop) -> None:
    shop.then(
        "POST /api/product", 403, {"code": "FORBIDDEN", "message": "Missing permission: product:create"}
    )
    async with client(shop, auth=BearerAuth(Secret(SECRET_TOKEN))) as http:
        with pytest.raises(AuthError) as caught:
            await http.request("POST", "/product", json={})
    assert caught.value.status == 403
    assert "lacks the permission product:create" in str(caught.value)
    assert "grant the app the product:create permission" in str(caught.value)


async def test_secrets_echoed_by_the_platform_are_masked(shop: Shop) -> None:
    shop.then("GET /api/x", 400, {"code": "BAD", "message": f"token {SECRET_TOKEN} is malformed"})
    async with client(shop, auth=BearerAuth(Secret(SECRET_TOKEN))) as http:
        with pytest.raises(PlatformError) as caught:
            await http.request("GET", "/x")
    assert SECRET_TOKEN not in str(caught.value)
    assert "token *** is malformed" in str(caught.value)


async def test_secrets_echoed_in_field_names_are_masked(shop: Shop) -> None:
    """A server that echoes the token as the name of a field does not get it printed."""
    shop.then("GET /api/x", 422, {"code": "INVALID", "message": "bad", "errors": {SECRET_TOKEN: ["unknown"]}})
    async with client(shop, auth=BearerAuth(Secret(SECRET_TOKEN))) as http:
        with pytest.raises(PlatformError) as caught:
            await http.request("GET", "/x")
    assert SECRET_TOKEN not in str(caught.value)
    assert "[***: unknown]" in str(caught.value)


async def test_debug_log_names_method_path_status_and_never_the_token(
    shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="engine.http")
    async with client(shop, auth=BearerAuth(Secret(SECRET_TOKEN))) as http:
        await http.request("GET", "/guarded", params={"secret": "qs-value-999"})
    assert any("GET /guarded -> 200" in r.getMessage() for r in caplog.records)
    assert all(SECRET_TOKEN not in r.getMessage() for r in caplog.records)
    assert not any("qs-value-999" in r.getMessage() or "Bearer" in r.getMessage() for r in caplog.records)


async def test_create_once_finds_a_create_whose_answer_was_lost(shop: Shop) -> None:
    shop.then("POST /things", 503, {"code": "LOST", "message": "gateway"})  # committed, answer lost
    lookups: list[str] = []
    async with client(shop) as http:

        async def send() -> str:
            response = await http.request("POST", "/things", json={"key": "tee"})
            return str(decode_json(response)["data"]["key"])

        async def lookup() -> str | None:
            lookups.append("tee")
            return "tee" if "tee" in shop.created else None

        assert await http.create_once(send, lookup) == "tee"
    assert shop.created == ["tee"]
    assert lookups == ["tee"]


async def test_create_once_sends_again_when_the_object_is_not_there(shop: Shop) -> None:
    async with client(shop) as http:
        calls: list[int] = []

        async def send() -> str:
            calls.append(1)
            if len(calls) == 1:
                raise PlatformError("POST /things timed out")
            response = await http.request("POST", "/things", json={"key": "mug"})
            return str(decode_json(response)["data"]["key"])

        async def lookup() -> str | None:
            return "mug" if "mug" in shop.created else None

        assert await http.create_once(send, lookup) == "mug"
    assert shop.created == ["mug"]
    assert len(calls) == 2


async def test_create_once_does_not_retry_a_refusal() -> None:
    lookups: list[int] = []

    async def send() -> str:
        raise PlatformError("POST /things failed with 422", status=422)

    async def lookup() -> str | None:
        lookups.append(1)
        return None

    with pytest.raises(PlatformError):
        await create_once(send, lookup, attempts=3)
    assert lookups == []


async def test_create_once_gives_up_after_its_attempts() -> None:
    sends: list[int] = []

    async def send() -> str:
        sends.append(1)
        raise PlatformError("POST /things failed with 500", status=500)

    async def lookup() -> str | None:
        return None

    with pytest.raises(PlatformError):
        await create_once(send, lookup, attempts=3)
    assert len(sends) == 3


async def test_json_money_is_decimal(shop: Shop) -> None:
    async with client(shop) as http:
        body = decode_json(await http.request("GET", "/x"))
    assert body["data"]["price"] == Decimal("29.99")
    assert isinstance(body["data"]["price"], Decimal)


async def test_secrets_echoed_encoded_are_masked_too(shop: Shop) -> None:
    """A server echoing the form body it got shows the secret URL-encoded; others escape it for JSON or
    base64-encode it. Each form is masked."""
    secret = 'cs-9f/2+Qa"z'
    encoded = [
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret),
        base64.b64encode(secret.encode()).decode(),
    ]
    echoed = {"message": f"bad grant client_secret={encoded[0]} or {encoded[1]} or {encoded[2]} or {secret}"}
    shop.then("GET /api/x", 400, echoed)
    async with client(shop, auth=BearerAuth(Secret(secret))) as http:
        with pytest.raises(PlatformError) as caught:
            await http.request("GET", "/x")
    shown = str(caught.value)
    assert not any(form in shown for form in [secret, json.dumps(secret)[1:-1], *encoded]), shown
    assert "client_secret=*** or *** or *** or ***" in shown
