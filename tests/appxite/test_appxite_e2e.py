"""Subscriptions as code end to end: the real CLI against the in-process AppXite sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.platforms.appxite.ids import order_item_id
from engine.sandbox.appxite.db import ACME, LEGACY, M365_BUSINESS, MANUAL

from appxite_support import CONFIG, control, items, sandbox_file, stats, write_catalog
from support import shelf


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A catalog of two subscriptions on an AppXite sandbox target whose provisioning takes 0.2 s."""
    (tmp_path / "shelf.yaml").write_text(CONFIG)
    write_catalog(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    control(tmp_path, "POST", "/_sandbox/delay", {"seconds": 0.2})
    yield tmp_path


def _applied(*args: str) -> str:
    run = shelf("apply", "--auto-approve", *args)
    assert run.exit_code == 0, run.output
    return run.output


def _reads_only(repo: Path) -> None:
    control(repo, "POST", "/_sandbox/stats/reset")
    planned = shelf("plan", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert all(route.startswith("GET ") or route == "POST /oauth/token" for route in stats(repo))


def test_two_subscriptions_are_ordered_and_provisioned(repo: Path) -> None:
    planned = shelf("plan")
    assert "+ subscription.m365" in planned.output and "+ subscription.backup" in planned.output
    control(repo, "POST", "/_sandbox/stats/reset")
    output = _applied()
    assert "subscription.m365: provision_finished" in output
    assert "subscription.backup: provision_finished" in output
    requests = stats(repo)
    assert requests["POST /orders/"] == 2 and requests["POST /orders/operation"] == 2
    assert requests["POST /oauth/token"] == 1  # one token for the whole run, its verification included
    (m365,) = items(repo)
    assert m365["orderItemId"] == order_item_id("licences", ACME, "m365")
    assert m365["status"] == "provision_finished" and m365["formData"]["quantityBox1"] == 10
    _reads_only(repo)


def test_quantity_change_is_one_update_and_apply_waits_for_it(repo: Path) -> None:
    _applied()
    write_catalog(repo, seats=25)
    planned = shelf("plan")
    assert "~ subscription.m365\n      form_data.quantityBox1: 10 -> 25" in planned.output
    control(repo, "POST", "/_sandbox/stats/reset")
    output = _applied()
    assert "subscription.m365: provision_started" in output
    assert "subscription.m365: provision_finished" in output
    requests = stats(repo)
    assert requests["POST /orders/operation"] == 1 and "POST /orders/" not in requests
    assert [i["formData"]["quantityBox1"] for i in items(repo)] == [25]
    _reads_only(repo)


def test_cancelled_state_sends_one_cancel(repo: Path) -> None:
    _applied()
    write_catalog(repo, state="cancelled")
    assert "- subscription.m365 (cancel)" in shelf("plan").output
    control(repo, "POST", "/_sandbox/stats/reset")
    _applied()
    requests = stats(repo)
    assert requests["POST /orders/cancel"] == 1
    assert not any(r in requests for r in ("POST /orders/", "POST /orders/operation"))
    assert [i["status"] for i in items(repo)] == ["cancelled"]
    _reads_only(repo)


def test_cancelling_an_item_still_provisioning_is_refused_at_plan_time(repo: Path) -> None:
    control(repo, "POST", "/_sandbox/delay", {"seconds": 600})
    output = _applied("--wait", "0")
    assert "subscription.m365: still provision_started" in output
    pending = shelf("plan", "--detailed-exitcode")
    assert pending.exit_code == 0 and "pending (provision_started)" in pending.output
    write_catalog(repo, state="cancelled")
    refused = shelf("plan")
    assert refused.exit_code == 1
    assert "recipes/subscriptions.yaml:2:5" in refused.output
    assert "is provision_started; only a provision_finished item can be cancelled" in refused.output
    assert "Traceback" not in refused.output


def test_failed_provisioning_exits_3_with_the_vendors_reason(repo: Path) -> None:
    write_catalog(repo, m365_offer=LEGACY)
    failed = shelf("apply", "--auto-approve")
    assert failed.exit_code == 3, failed.output
    assert (
        "subscription.m365" in failed.stderr and "Vendor rejected the order: offer retired" in failed.stderr
    )
    again = shelf("plan")
    assert (
        "the last order failed (Vendor rejected the order: offer retired); it is ordered again"
        in again.output
    )
    assert "+ subscription.m365" in again.output


def test_a_lost_create_answer_makes_no_second_order(repo: Path) -> None:
    control(repo, "POST", "/_sandbox/faults", {"route": "POST /orders/", "status": 503, "after_commit": True})
    control(
        repo,
        "POST",
        "/_sandbox/faults",
        {"route": "POST /orders/operation", "status": 503, "after_commit": True},
    )
    _applied()
    assert [i["status"] for i in items(repo)] == ["provision_finished"]
    assert stats(repo)["POST /orders/"] == 2
    _reads_only(repo)


def test_an_item_left_in_the_cart_is_placed_not_added_again(repo: Path) -> None:
    body = {
        "OfferId": M365_BUSINESS,
        "OrderItemId": order_item_id("licences", ACME, "m365"),
        "FormData": {"quantityBox1": 4},
    }
    from appxite_support import headers

    control(repo, "POST", "/orders/", body, **headers())
    assert "left in the cart is placed" in shelf("plan").output
    control(repo, "POST", "/_sandbox/stats/reset")
    _applied()
    requests = stats(repo)
    assert requests["POST /orders/"] == 1  # the other subscription only
    assert requests["POST /orders/operation"] == 3  # m365: update its form data and place; backup: place
    assert [(i["status"], i["formData"]["quantityBox1"]) for i in items(repo)] == [("provision_finished", 10)]
    _reads_only(repo)


def test_waiting_approval_is_reported_and_planned_as_pending(repo: Path) -> None:
    write_catalog(repo, m365_offer=MANUAL)
    output = _applied()
    assert "subscription.m365: waiting for approval in the portal (pending_approval)" in output
    pending = shelf("plan", "--detailed-exitcode")
    assert pending.exit_code == 0, pending.output
    assert "subscription.m365: pending (pending_approval), nothing to change" in pending.output
    control(repo, "POST", "/_sandbox/approve", {"orderItemId": order_item_id("licences", ACME, "m365")})
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_an_offer_change_replaces_the_item(repo: Path) -> None:
    _applied()
    write_catalog(repo, m365_offer=MANUAL)
    planned = shelf("plan")
    assert "-/+ subscription.m365" in planned.output
    assert f'offer: "{M365_BUSINESS}" -> "{MANUAL}"' in planned.output
    _applied()
    assert [(i["offerId"], i["status"]) for i in items(repo, ACME)] == [
        (M365_BUSINESS, "cancelled"),
        (MANUAL, "pending_approval"),
    ]
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    assert sandbox_file(repo).exists()
