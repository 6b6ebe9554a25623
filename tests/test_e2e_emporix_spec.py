"""Every request shelf sends while applying the demo catalog to the Emporix sandbox, and every answer the
sandbox gives, validated against the vendor's OpenAPI files in ``../shared/platforms/emporix/openapi/``.

The vendor files get the repairs that ``test_sandbox_emporix_spec`` documents and applies (this test
imports them from there). The requests are recorded by a transport wrapped around the in-process
sandbox, which the real CLI uses as it would the network.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_sandbox_emporix_spec import SPECS, _apis, _explain, _request, _response

import engine.platforms as platforms

from support import shelf

pytestmark = pytest.mark.skipif(not SPECS.is_dir(), reason=f"the vendor's OpenAPI files are not at {SPECS}")

SERVICES = {"oauth", "product", "category", "price", "media", "coupon"}


class Recorder(httpx.AsyncBaseTransport):
    """Passes every exchange through to ``inner`` and keeps a copy of both sides."""

    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        copy = httpx.Response(response.status_code, headers=response.headers, content=body, request=request)
        self.exchanges.append((request, copy))
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[Recorder]:
    made: list[Recorder] = []
    original = platforms.sandbox_transport

    def recording(platform: str, db_path: Path, **options: Any) -> httpx.AsyncBaseTransport:
        recorder = Recorder(original(platform, db_path, **options))
        made.append(recorder)
        return recorder

    monkeypatch.setattr(platforms, "sandbox_transport", recording)
    return made


EMPORIX_TARGET = (
    "recipes: [recipes]\n"
    "default_target: emporix\n"
    "targets:\n"
    "  emporix:\n"
    "    platform: emporix\n"
    "    sandbox: true\n"
    "    languages: [en, de]\n"
)


def test_every_request_and_answer_of_a_demo_apply_matches_the_vendor_reference(
    repo: Path, recorded: list[Recorder]
) -> None:
    (repo / "shelf.yaml").write_text(EMPORIX_TARGET)
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output

    apis = _apis()
    problems: list[str] = []
    checked: dict[str, int] = {}
    for recorder in recorded:
        for request, response in recorder.exchanges:
            service = request.url.path.strip("/").split("/", 1)[0]
            if service not in SERVICES:
                continue
            where = f"{request.method} {request.url.path} -> {response.status_code}"
            api = apis[service]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for kind, check in (
                    ("request", lambda a=api, r=request: a.validate_request(_request(r))),
                    (
                        "answer",
                        lambda a=api, r=request, o=response: a.validate_response(_request(r), _response(o)),
                    ),
                ):
                    try:
                        check()
                    except Exception as exc:
                        problems.append(f"{where}: the {kind} does not match the reference: {_explain(exc)}")
            key = f"{request.method} {service}"
            checked[key] = checked.get(key, 0) + 1
    assert problems == []
    for expected in (
        "POST oauth",
        "GET product",
        "PUT product",
        "POST product",
        "PUT category",
        "GET price",
        "PUT price",
        "POST media",
        "GET coupon",
    ):
        assert checked.get(expected), f"no {expected} request was checked: {sorted(checked)}"
