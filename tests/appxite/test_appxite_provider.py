"""The AppXite provider's edges: retries by status, loose reading of answers, settings errors, saved
plans, prune, and the demo repository whose default target stays the xPage sandbox."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.platforms.appxite.api import field, items_of
from engine.platforms.appxite.auth import same_origin
from engine.platforms.appxite.ids import order_item_id
from engine.sandbox.appxite.db import ACME, GLOBEX, M365_BUSINESS

from appxite_support import CONFIG, control, headers, items, stats, write_catalog
from support import PROJECT, shelf


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "shelf.yaml").write_text(CONFIG)
    write_catalog(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    control(tmp_path, "POST", "/_sandbox/delay", {"seconds": 0})
    yield tmp_path


def test_408_and_429_are_sent_again_and_400_is_not(repo: Path) -> None:
    control(repo, "POST", "/_sandbox/faults", {"route": "POST /orders/", "status": 408})
    control(repo, "POST", "/_sandbox/faults", {"route": "POST /orders/", "status": 429, "retry_after": 0})
    control(repo, "POST", "/_sandbox/faults", {"route": "POST /orders/operation", "status": 400})
    failed = shelf("apply", "--auto-approve")
    assert failed.exit_code == 3, failed.output
    assert "POST /orders/operation failed with 400" in failed.stderr
    requests = stats(repo)
    assert requests["POST /orders/"] == 4 and requests["POST /orders/operation"] == 2
    again = shelf("apply", "--auto-approve")
    assert again.exit_code == 0, again.output
    assert stats(repo)["POST /orders/"] == 4  # the item left in the cart was placed, not added again
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_the_subscription_key_goes_only_to_the_apis_own_host() -> None:
    assert same_origin("https://api.appxite.com/oauth/token", "https://api.appxite.com")
    assert not same_origin("https://login.appxite.com/oauth/token", "https://api.appxite.com")
    assert not same_origin("http://api.appxite.com/oauth/token", "https://api.appxite.com")


def test_answers_are_read_in_either_case() -> None:
    order = {"OrderId": "o-1", "Items": [{"OrderItemId": "i-1", "Status": "in_cart"}]}
    (item,) = items_of(order)
    assert field(item, "orderItemId") == "i-1" and item["orderId"] == "o-1"
    assert items_of({"orderId": "o-2", "orderItemId": "i-2"})[0]["orderId"] == "o-2"


def test_order_item_ids_are_stable_and_name_target_organization_and_key() -> None:
    first = order_item_id("licences", ACME, "m365")
    assert first == order_item_id("licences", ACME.upper(), "m365")
    assert (
        len(
            {
                first,
                order_item_id("other", ACME, "m365"),
                order_item_id("licences", GLOBEX, "m365"),
                order_item_id("licences", ACME, "m365", 2),
            }
        )
        == 4
    )


def test_a_real_target_names_each_missing_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "shelf.yaml").write_text(
        "targets:\n  live: {platform: appxite, client_id: shelf, referer: 'https://portal.example.com'}\n"
    )
    write_catalog(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = shelf("plan")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "live: an AppXite target needs subscription_key, client_secret" in result.stderr


def test_a_saved_plan_applies_and_goes_stale(repo: Path) -> None:
    assert shelf("apply", "--auto-approve").exit_code == 0
    write_catalog(repo, seats=12)
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    saved = json.loads((repo / "plan.json").read_text())
    assert [c["action"] for c in saved["changes"]] == ["update"]
    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    assert [i["formData"]["quantityBox1"] for i in items(repo)] == [12]
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    write_catalog(repo, seats=13)
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    control(repo, "POST", "/orders/cancel?orderitemid=" + items(repo)[0]["orderItemId"], **headers())
    stale = shelf("apply", "plan.json")
    assert (
        stale.exit_code == 4 and "subscription.m365 was removed from the shop since the plan" in stale.stderr
    )


def test_prune_cancels_provisioned_items_no_recipe_names(repo: Path) -> None:
    stranger = "0f0f0f0f-aaaa-4bbb-8ccc-0d0d0d0d0d0d"
    order = control(
        repo,
        "POST",
        "/orders/",
        {"OfferId": M365_BUSINESS, "OrderItemId": stranger, "FormData": {"quantityBox1": 1}},
        **headers(),
    )
    control(
        repo,
        "POST",
        "/orders/operation",
        {
            "OrderId": order["orderId"],
            "OfferId": M365_BUSINESS,
            "OrderItemId": stranger,
            "FormData": {"quantityBox1": 1},
            "Operations": ["place_order"],
        },
        **headers(),
    )
    assert f"subscription.{stranger}" not in shelf("plan").output
    (repo / "shelf.yaml").write_text(
        "recipes: [recipes]\n"
        "targets:\n  licences: {platform: appxite, sandbox: true, prune: [subscriptions]}\n"
    )
    planned = shelf("plan")
    assert f"- subscription.{stranger} (cancel)" in planned.output
    assert shelf("apply", "--auto-approve").exit_code == 0
    assert {i["orderItemId"]: i["status"] for i in items(repo)}[stranger] == "cancelled"
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_the_demo_repository_keeps_xpage_as_its_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in ("recipes", "subscriptions"):
        shutil.copytree(PROJECT / folder, tmp_path / folder)
    shutil.copy(PROJECT / "shelf.yaml", tmp_path / "shelf.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert shelf("validate").exit_code == 0
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "subscription." not in applied.output and (tmp_path / ".shelf/sandbox/xpage.sqlite").exists()
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    planned = shelf("plan", "--target", "licences")
    assert "+ subscription.acme-m365-business" in planned.output
    assert "+ subscription.globex-backup" in planned.output
