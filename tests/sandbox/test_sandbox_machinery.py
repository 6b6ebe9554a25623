"""The machinery every sandbox shares: store migrations, validation messages, rate limit, registry."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.errors import ConfigError
from engine.sandbox import default_db_path, reset_sandbox, sandbox_app, sandbox_base_path, sandbox_platforms
from engine.sandbox.query import typed_text
from engine.sandbox.ratelimit import RateLimiter
from engine.sandbox.responses import ApiError, code_for
from engine.sandbox.store import SHARED_MIGRATIONS, Store
from engine.sandbox.validation import SchemaValidator, parse_json

STEP_ONE = ("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT)",)
STEP_TWO = ("ALTER TABLE things ADD COLUMN colour TEXT",)


def test_store_migrates_once_and_seeds_new_files(tmp_path: Path) -> None:
    seeded: list[int] = []

    def seed(db: sqlite3.Connection) -> None:
        seeded.append(1)
        db.execute("INSERT OR IGNORE INTO things (id, name) VALUES (1, 'seed')")

    path = tmp_path / "deep" / "x.sqlite"
    Store(path, [STEP_ONE], seed).close()
    Store(path, [STEP_ONE], seed).close()
    upgraded = Store(path, [STEP_ONE, STEP_TWO], seed)
    columns = [r["name"] for r in upgraded.query("PRAGMA table_info(things)")]
    assert columns == ["id", "name", "colour"]
    assert upgraded.query("PRAGMA user_version")[0][0] == len(SHARED_MIGRATIONS) + 2
    assert upgraded.query("PRAGMA journal_mode")[0][0] == "wal"
    assert len(seeded) == 2  # the new file, then the upgrade; not the plain reopen
    assert [tuple(r) for r in upgraded.query("SELECT id, name FROM things")] == [(1, "seed")]


def test_store_write_rolls_back_on_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.sqlite", [STEP_ONE])
    with pytest.raises(ApiError), store.write() as db:
        db.execute("INSERT INTO things (name) VALUES ('half')")
        raise ApiError(422, "refused")
    assert store.query("SELECT COUNT(*) FROM things")[0][0] == 0


def test_validation_messages_are_keyed_by_field_path() -> None:
    validate = SchemaValidator(
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "items": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"n": {"type": "integer", "maximum": 3}}},
                },
                "a": {"type": "string"},
                "b": {"type": "string"},
                "price": {"type": "number", "x-decimals": 2},
            },
            "dependencies": {"a": ["b"]},
        },
        prefix="metadata",
    )
    body = parse_json('{"items": [{"n": 1}, {"n": 4}, {"n": "x"}], "a": "1", "price": 0.125, "zz": null}')
    assert validate(body) == {
        "metadata.b": ["required with a"],
        "metadata.items.1.n": ["must be at most 3"],
        "metadata.items.2.n": ["must be an integer"],
        "metadata.price": ["must have at most 2 decimal places"],
        "metadata.zz": ["unknown field"],
    }
    assert validate(parse_json('{"price": 10.10, "items": []}')) == {}


@pytest.mark.parametrize("text", ["NaN", "[1,", '{"a": Infinity}', b"\xff"])
def test_parse_json_is_strict(text: Any) -> None:
    with pytest.raises(ValueError, match="JSON"):
        parse_json(text)


def test_typed_text_converts_what_the_schema_types() -> None:
    validate = SchemaValidator(
        {
            "type": "object",
            "properties": {"n": {"type": "integer"}, "flag": {"type": "boolean"}, "s": {"type": "string"}},
        }
    )
    assert typed_text(
        {"n": "12", "flag": "false", "s": "12", "other": "x"}, validate, ignore_unknown=True
    ) == {
        "n": 12,
        "flag": False,
        "s": "12",
    }
    with pytest.raises(ApiError) as refused:
        typed_text({"n": "1.5", "flag": "maybe"}, validate, ignore_unknown=True)
    assert refused.value.errors == {"flag": ["must be true or false"], "n": ["must be an integer"]}


def test_rate_limiter_slides_over_one_second() -> None:
    now = [100.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    limiter.admit()
    now[0] += 0.5
    limiter.admit()
    with pytest.raises(ApiError) as refused:
        limiter.admit()
    assert refused.value.status == 429 and refused.value.headers == {"Retry-After": "1"}
    now[0] += 0.5  # the first request leaves the window
    limiter.admit()


def test_error_codes_follow_the_status() -> None:
    assert code_for(422) == "VALIDATION_ERROR"
    assert code_for(503) == "SERVICE_UNAVAILABLE"
    assert code_for(504) == "GATEWAY_TIMEOUT"
    assert code_for(599) == "ERROR"


async def test_registry_builds_and_resets_sandboxes(tmp_path: Path) -> None:
    db = default_db_path(tmp_path / ".shelf", "xpage")
    assert db == tmp_path / ".shelf" / "sandbox" / "xpage.sqlite"
    assert "xpage" in sandbox_platforms()
    assert sandbox_base_path("xpage") == "/api/apps/v1"
    app = sandbox_app("xpage", db, tokens=["cli-token"])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://s/api/apps/v1") as client:
        accepted = await client.post(
            "/product",
            files={"metadata": (None, '{"title": "Registry"}')},
            headers={"Authorization": "Bearer cli-token"},
        )
        default_refused = await client.get("/product", headers={"Authorization": "Bearer sandbox"})
    assert accepted.status_code == 201 and default_refused.status_code == 401
    reset_sandbox("xpage", db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox_app("xpage", db)), base_url="http://s"
    ) as c:
        listed = await c.get("/api/apps/v1/product", headers={"Authorization": "Bearer sandbox"})
    assert listed.json()["data"]["products"] == []


def test_registry_names_unknown_platforms(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        sandbox_app("shopify", tmp_path / "x.sqlite")
    assert "shopify" in refused.value.message and refused.value.hint and "xpage" in refused.value.hint
