"""Talking HTTP to shops: timeouts, retries that honour ``Retry-After``, create-once, auth and redaction.

This is the only module that builds httpx clients, so every platform gets the same failure semantics:

* An idempotent request (GET, HEAD, PUT, DELETE, OPTIONS unless told otherwise) is retried on 429, 500,
  502, 503 and 504 answers, on timeouts and on connection errors, with exponential backoff and jitter, or
  exactly the ``Retry-After`` the platform asked for (capped at ``max_delay``).
* A non-idempotent request is never retried blindly: only when the platform cannot have acted on it, that
  is a 429 answer (a rate limiter refuses before the handler runs) or a failure to connect at all. Anything
  else is reported, and creates go through :func:`create_once`, which looks the object up before sending
  it again.
* A 401 makes the :class:`Auth` refresh its credentials once and replays the request once, whatever its
  method: a rejected request was not acted on.
* Errors and debug logs name the method and the path, never the query string, headers, bodies or token
  values; any secret value the client knows is masked in platform messages as well.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, quote_plus

import httpx

from engine.errors import AuthError, PlatformError
from engine.secrets import Secret

__all__ = [
    "Auth",
    "BearerAuth",
    "HttpClient",
    "Token",
    "TokenAuth",
    "TokenFetch",
    "create_once",
    "decode_json",
]

T = TypeVar("T")

log = logging.getLogger("engine.http")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MESSAGE_LIMIT = 300
MASK = "***"


class Auth(Protocol):
    """Credentials for one client: headers for each request, and one refresh after a 401."""

    async def headers(self, client: HttpClient) -> Mapping[str, str]:
        """The headers that authenticate the next request (may fetch a token first)."""
        ...

    async def refresh(self, client: HttpClient, rejected: Mapping[str, str]) -> bool:
        """Renew the credentials after ``rejected`` headers got a 401; False if nothing can be renewed."""
        ...

    def secrets(self) -> Iterable[str]:
        """Values that must never appear in messages (tokens, client secrets)."""
        ...


class BearerAuth:
    """A fixed bearer token from configuration: it cannot be renewed, so a 401 is final."""

    def __init__(self, token: Secret):
        self._token = token

    async def headers(self, client: HttpClient) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {self._token.reveal()}"}

    async def refresh(self, client: HttpClient, rejected: Mapping[str, str]) -> bool:
        return False

    def secrets(self) -> Iterable[str]:
        return (self._token.reveal(),)

    def __repr__(self) -> str:
        return "BearerAuth(***)"


@dataclass(frozen=True)
class Token:
    """A fetched access token and how long it lives (None: until the platform rejects it)."""

    value: Secret
    expires_in: float | None = None


TokenFetch = Callable[["HttpClient"], Awaitable[Token]]


class TokenAuth:
    """A token fetched from the platform (client credentials), shared by every request of one client.

    Concurrent requests wait on one lock, so a cold start or a 401 storm costs exactly one token request.
    A token is renewed ``margin`` seconds before it expires, and once after the platform rejects it.
    """

    def __init__(self, fetch: TokenFetch, *, extra_secrets: Iterable[Secret] = (), margin: float = 30.0):
        self._fetch = fetch
        self._extra = tuple(extra_secrets)
        self._margin = margin
        self._token: Token | None = None
        self._expires_at: float | None = None
        self._lock = asyncio.Lock()

    async def headers(self, client: HttpClient) -> Mapping[str, str]:
        token = self._token
        if token is None or self._expired():
            async with self._lock:
                if self._token is None or self._expired():
                    await self._renew(client)
                token = self._token
        assert token is not None
        return {"Authorization": f"Bearer {token.value.reveal()}"}

    async def refresh(self, client: HttpClient, rejected: Mapping[str, str]) -> bool:
        async with self._lock:
            current = self._token
            if current is None or rejected.get("Authorization") == f"Bearer {current.value.reveal()}":
                await self._renew(client)
        return True

    def secrets(self) -> Iterable[str]:
        values = [s.reveal() for s in self._extra]
        if self._token is not None:
            values.append(self._token.value.reveal())
        return values

    def _expired(self) -> bool:
        return self._expires_at is not None and time.monotonic() >= self._expires_at

    async def _renew(self, client: HttpClient) -> None:
        token = await self._fetch(client)
        self._token = token
        if token.expires_in is None:
            self._expires_at = None
        else:
            self._expires_at = time.monotonic() + max(0.0, token.expires_in - self._margin)

    def __repr__(self) -> str:
        return "TokenAuth(***)"


def decode_json(response: httpx.Response) -> Any:
    """The body as JSON with every fractional number a Decimal, so money is never a binary float."""
    return json.loads(response.content, parse_float=Decimal)


async def client_credentials(
    http: HttpClient, url: str, *, refused: str, hint: str, **request: Any
) -> Token:
    """The OAuth client credentials call both OAuth platforms make: ``POST url`` (``request`` holds its
    body and headers), answered ``{"access_token", "expires_in"}``. A 400/401/403 is one
    :class:`AuthError` saying ``refused`` (the status is added) with ``hint``."""
    try:
        response = await http.request("POST", url, idempotent=True, authenticate=False, **request)
    except PlatformError as exc:
        if exc.status in (400, 401, 403):
            status = exc.status
            raise AuthError(f"{refused} ({status})", where=http.where, hint=hint, status=status) from None
        raise
    answer: Any = decode_json(response)
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        said = f"POST {_path_only(url)} answered without an access token"
        raise PlatformError(said, where=http.where, status=200)
    expires = answer.get("expires_in")
    return Token(Secret(token), float(expires) if isinstance(expires, int | float) else None)


class HttpClient:
    """An async client for one platform base URL with bounded concurrency and the retry rules above."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_attempts: int = 5,
        concurrency: int = 8,
        backoff: float = 0.5,
        max_delay: float = 60.0,
        where: str | None = None,
        secrets: Iterable[Secret] = (),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        retry_statuses: Collection[int] = RETRY_STATUSES,
        unacted_statuses: Collection[int] = (429,),
    ):
        """``retry_statuses`` are the answers worth another attempt; ``unacted_statuses`` those among
        them that say the platform did not act on the request (a rate limit, a request it never fully
        received), so a non-idempotent request may be sent again too."""
        self.base_url = base_url.rstrip("/")
        self.retry_statuses = frozenset(retry_statuses)
        self.unacted_statuses = frozenset(unacted_statuses)
        self.auth = auth
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.max_delay = max_delay
        self.where = where
        self._secrets = tuple(s.reveal() for s in secrets)
        self._sleep = sleep
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers=dict(headers or {}),
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
        )

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def __repr__(self) -> str:
        return f"HttpClient({_public_url(self.base_url)!r})"

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        expect: Collection[int] = (200, 201, 204),
        authenticate: bool = True,
        collection: bool = False,
    ) -> httpx.Response:
        """Send one request, retrying what is safe to retry; raise PlatformError/AuthError otherwise.

        ``authenticate=False`` skips the auth headers (token endpoints themselves). ``collection`` says
        the path names a list or an endpoint, never one object, so a 404 means the address is wrong
        (:meth:`wrong_address`), not that an object went away. ``content`` is a body
        already encoded (JSON whose money must keep its exact digits), ``headers`` are this request's own
        (content type, languages); neither is ever logged.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        label = f"{method} {_path_only(path)}"
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            auth_headers: Mapping[str, str] = {}
            if authenticate and self.auth is not None:
                auth_headers = await self.auth.headers(self)
            started = time.monotonic()
            try:
                async with self._semaphore:
                    response = await self._client.request(
                        method,
                        path,
                        params=params,
                        json=json,
                        data=data,
                        files=files,
                        content=content,
                        headers={**(headers or {}), **auth_headers},
                    )
            except httpx.TransportError as exc:
                elapsed = (time.monotonic() - started) * 1000
                log.debug("%s -> %s after %.0f ms (attempt %d)", label, type(exc).__name__, elapsed, attempt)
                never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
                if (idempotent or never_sent) and attempt < self.max_attempts:
                    delay = self._delay(attempt, None)
                    log.warning(
                        "%s: %s %s (%s); retry %d of %d in %.1f s",
                        label,
                        "cannot reach" if never_sent else "no answer from",
                        _public_url(self.base_url),
                        type(exc).__name__,
                        attempt,
                        self.max_attempts - 1,
                        delay,
                    )
                    await self._sleep(delay)
                    continue
                raise self._transport_error(label, exc) from None
            elapsed = (time.monotonic() - started) * 1000
            log.debug("%s -> %d in %.0f ms (attempt %d)", label, response.status_code, elapsed, attempt)
            status = response.status_code
            if status in expect:
                return response
            if status == 401 and authenticate and self.auth is not None and not refreshed:
                refreshed = True
                if await self.auth.refresh(self, auth_headers):
                    attempt -= 1
                    continue
            retry = status in self.retry_statuses and (idempotent or status in self.unacted_statuses)
            if retry and attempt < self.max_attempts:
                await self._sleep(self._delay(attempt, response.headers.get("Retry-After"), label))
                continue
            if status == 404 and collection:
                raise self.wrong_address(label, path)
            raise self._status_error(label, response)

    async def create_once(
        self, send: Callable[[], Awaitable[T]], lookup: Callable[[], Awaitable[T | None]]
    ) -> T:
        """:func:`create_once` with this client's attempt count and backoff."""
        return await create_once(
            send, lookup, attempts=self.max_attempts, backoff=self._delay, sleep=self._sleep
        )

    def _delay(self, attempt: int, retry_after: str | None, label: str | None = None) -> float:
        """The wait before the next attempt: the platform's ``Retry-After`` up to ``max_delay`` (saying
        so when it asked for longer: a run that waited as asked could hang for hours), else backoff."""
        asked = _parse_retry_after(retry_after)
        if asked is not None:
            if asked > self.max_delay and label is not None:
                log.warning(
                    "%s: the platform asked to wait %.0f s before retrying (Retry-After); shelf waits at"
                    " most %.0f s, so it retries sooner",
                    label,
                    asked,
                    self.max_delay,
                )
            return min(asked, self.max_delay)
        base = self.backoff * (2 ** (attempt - 1))
        return min(self.max_delay, base * random.uniform(0.5, 1.5))

    def redact(self, text: str) -> str:
        """``text`` with every secret this client knows replaced by ``***``."""
        values = list(self._secrets)
        if self.auth is not None:
            values.extend(self.auth.secrets())
        written = {form for v in values if v for form in _written_forms(v)}
        for value in sorted(written, key=len, reverse=True):
            text = text.replace(value, MASK)
        return text

    def wrong_address(self, label: str, path: str) -> PlatformError:
        """A 404 where a list or an endpoint must be: base_url (or a setting in the path, such as a
        tenant) does not lead to the platform's API. The URL is shown without credentials or query."""
        base = httpx.URL(self.base_url)
        joined = base.copy_with(path=f"{base.path.rstrip('/')}/{_path_only(path).lstrip('/')}")
        url = _public_url(str(joined))
        return PlatformError(
            f"{label} answered 404 Not Found: {url} is not an address of the platform's API",
            where=self.where,
            hint="check this target's base_url: it must be the API's root address, as its platform page says",
            status=404,
        )

    def _transport_error(self, label: str, exc: httpx.TransportError) -> PlatformError:
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "could not be completed"
        return PlatformError(
            f"{label} {kind}: {type(exc).__name__} talking to {_public_url(self.base_url)}",
            where=self.where,
            hint="check base_url and the network, then run again; nothing unconfirmed is assumed done",
        )

    def _status_error(self, label: str, response: httpx.Response) -> PlatformError:
        status = response.status_code
        code, message, fields = _error_body(response)
        message = self.redact(message)[:MESSAGE_LIMIT]
        if status == 401:
            return AuthError(
                f"{label}: the token was rejected (401)",
                where=self.where,
                hint="check the token or client credentials of this target: wrong, expired or revoked",
                status=status,
            )
        if status == 403:
            permission = _permission_in(message)
            if permission:
                text = f"{label}: the token lacks the permission {permission} (403)"
                hint = f"grant the app the {permission} permission in the shop, then run again"
            else:
                text = f"{label}: forbidden (403): {message or 'no reason given'}"
                hint = "grant the app the permission this call needs in the shop, then run again"
            if fields:
                text += " [" + "; ".join(_field_text(name, self.redact(m)) for name, m in fields) + "]"
            return AuthError(text, where=self.where, hint=hint, status=status)
        text = f"{label} failed with {status}"
        if code:
            text += f" {self.redact(code)}"
        if message:
            text += f": {message}"
        if fields:
            shown = (_field_text(self.redact(name), self.redact(m)) for name, m in fields)
            text += " [" + "; ".join(shown) + "]"
        return PlatformError(text, where=self.where, hint=_hint_for(status), status=status)


async def create_once(
    send: Callable[[], Awaitable[T]],
    lookup: Callable[[], Awaitable[T | None]],
    *,
    attempts: int = 3,
    backoff: Callable[[int, str | None], float] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Create an object whose answer may be lost, without ever creating it twice.

    When ``send`` fails in a way that leaves its outcome unknown (no answer: timeout or connection error,
    or a 5xx), ``lookup`` finds the object by its key: if it exists, the create did happen and the object
    is returned; if not, the create is sent again, at most ``attempts`` times in all. A 4xx is the
    platform's definite refusal and is raised at once.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return await send()
        except AuthError:
            raise
        except PlatformError as exc:
            if exc.status is not None and exc.status < 500:
                raise
            found = await lookup()
            if found is not None:
                log.debug("create answer lost; found the object by its key (attempt %d)", attempt)
                return found
            if attempt >= attempts:
                raise
            await sleep(backoff(attempt, None) if backoff else 0.0)


def _path_only(path: str) -> str:
    """The path without query string or origin: query values may carry secrets, origins credentials."""
    url = httpx.URL(path)
    return url.path or "/"


def _written_forms(secret: str) -> set[str]:
    """A secret as a server may echo it back: as sent in a form body or a query (URL-encoded), in a JSON
    string (escaped) or base64-encoded, besides as it is."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    forms.add(base64.b64encode(secret.encode()).decode())
    return forms


def _public_url(url: str) -> str:
    parsed = httpx.URL(url)
    return str(parsed.copy_with(username=None, password=None, query=None, fragment=None))


def _parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _error_body(response: httpx.Response) -> tuple[str | None, str, list[tuple[str, str]]]:
    """The platform's error code, message and field errors, from ``{"code","message","errors"}``, and
    the ``details`` some platforms give instead (texts, or objects with ``field`` and ``message``; a
    detail without a field has the name ``""``)."""
    try:
        body = decode_json(response)
    except ValueError:
        return None, response.reason_phrase, []
    if not isinstance(body, dict):
        return None, response.reason_phrase, []
    code = body.get("code")
    message = body.get("message")
    fields: list[tuple[str, str]] = []
    errors = body.get("errors")
    if isinstance(errors, dict):
        for name, messages in errors.items():
            items = messages if isinstance(messages, list) else [messages]
            fields.extend((str(name), str(m)) for m in items)
    details = body.get("details")
    if isinstance(details, list):
        for detail in details:
            if isinstance(detail, dict):
                text = detail.get("message") or detail.get("type") or ""
                fields.append((str(detail.get("field") or ""), str(text)))
            elif detail is not None:
                fields.append(("", str(detail)))
    return (
        str(code) if code is not None else None,
        str(message) if message is not None else response.reason_phrase,
        fields,
    )


def _field_text(name: str, message: str) -> str:
    return f"{name}: {message}" if name else message


_PERMISSION = re.compile(r"\b([a-z][a-z_]*:[a-z][a-z_]*)\b")


def _permission_in(message: str) -> str | None:
    match = _PERMISSION.search(message)
    return match.group(1) if match else None


def _hint_for(status: int) -> str:
    if status == 404:
        return "the object is no longer in the shop; plan again"
    if status == 409:
        return "the object changed in the shop meanwhile; plan again"
    if status == 429:
        return "the platform is limiting the request rate; lower the target's concurrency or run again later"
    if status >= 500:
        return "the platform failed; run again later, the next run converges"
    return "fix the values named above in the recipe, then plan again"
