"""The Partner emulator on its own: tokens per chain, strict bodies, async jobs with per-SKU feedback,
pagination, no promotion read-back and the per-minute block."""

from __future__ import annotations

from pathlib import Path

import pytest
from partner_support import BASE, CHAIN, FakeClock, emulator, exact, item, run_job

from engine.sandbox.partner import create_app

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_tokens_are_per_chain(tmp_path: Path) -> None:
    async with emulator(tmp_path / "p.sqlite") as client:
        ok = await client.get(f"{BASE}/vendors/vendor-marina/catalog")
        assert ok.status_code == 200
        other = await client.get("/v2/chains/other-chain/vendors/vendor-other/catalog")
        assert other.status_code == 403
        unknown_vendor = await client.get(f"{BASE}/vendors/nope/catalog")
        assert unknown_vendor.status_code == 404
        anonymous = await client.get(f"{BASE}/vendors/vendor-marina/catalog", headers={"Authorization": ""})
        assert anonymous.status_code == 401
        wrong = await client.get(
            f"{BASE}/vendors/vendor-marina/catalog", headers={"Authorization": "Bearer nope"}
        )
        assert wrong.status_code == 401


def test_at_most_eleven_tokens_per_chain(tmp_path: Path) -> None:
    create_app(tmp_path / "ok.sqlite", tokens={f"t{i}": None for i in range(11)})
    with pytest.raises(ValueError, match="at most 11 tokens"):
        create_app(tmp_path / "bad.sqlite", tokens={f"t{i}": None for i in range(12)})


async def test_create_is_a_job_with_per_sku_feedback(tmp_path: Path) -> None:
    clock = FakeClock()
    async with emulator(tmp_path / "p.sqlite", job_delay=10, clock=clock) as client:
        body = {
            "vendors": ["vendor-marina", "vendor-downtown"],
            "products": [
                item("A-1", "12.500", images=["https://cdn.example.com/a.png"], barcode="4006381333931"),
                item("B-2", "1.2345"),
                item("C-3", 5, title={"fr_FR": "Bonjour"}),
                item("D-4", 5, images=["images/d.png"]),
                item("E-5", 5, categories=["no-such-category"]),
            ],
        }
        answer = await client.post(f"{BASE}/catalog", **exact(body))
        queued = await run_job(client, f"{BASE}/catalog/jobs", answer)
        assert queued["job_status"] == "QUEUED"
        listed = await client.get(f"{BASE}/vendors/vendor-marina/catalog")
        assert listed.json()["products"] == []  # not before the job has run
        clock.now += 10
        done = await run_job(client, f"{BASE}/catalog/jobs", answer)
        assert done["job_status"] == "COMPLETED"
        feedback = {f["sku"]: f for f in done["result"]["item_level_feedback"]}
        assert feedback["A-1"]["status"] == "ACCEPTED"
        reasons = {
            sku: [r["rejected_data"] for r in f["rejection_reasons"]]
            for sku, f in feedback.items()
            if f["status"] == "REJECTED"
        }
        assert reasons == {"B-2": ["price"], "C-3": ["title"], "D-4": ["images"], "E-5": ["categories"]}
        for vendor in ("vendor-marina", "vendor-downtown"):
            products = (await client.get(f"{BASE}/vendors/{vendor}/catalog")).json()["products"]
            assert [p["sku"] for p in products] == ["A-1"]
            assert products[0]["price"] == 12.5
            assert products[0]["barcodes"] == ["4006381333931"]
            assert products[0]["images"] == [{"url": "https://cdn.example.com/a.png"}]
            assert "quantity" not in products[0]
        third = (await client.get(f"{BASE}/vendors/vendor-jbr/catalog")).json()
        assert third["products"] == []


async def test_truncating_reading_of_extra_decimals(tmp_path: Path) -> None:
    async with emulator(tmp_path / "p.sqlite", price_decimals="truncate") as client:
        answer = await client.post(
            f"{BASE}/catalog", **exact({"vendors": ["*"], "products": [item("X", "4.5555")]})
        )
        done = await run_job(client, f"{BASE}/catalog/jobs", answer)
        assert done["result"]["item_level_feedback"][0]["status"] == "ACCEPTED"
        products = (await client.get(f"{BASE}/vendors/vendor-jbr/catalog")).json()["products"]
        assert products[0]["price"] == 4.555


async def test_bodies_are_strict(tmp_path: Path) -> None:
    async with emulator(tmp_path / "p.sqlite") as client:
        unknown = await client.post(
            f"{BASE}/catalog", json={"vendors": ["*"], "products": [item("A", colour="red")]}
        )
        assert unknown.status_code == 400
        assert "products.0" in str(unknown.json()["errors"]) or "colour" in unknown.text
        nothing = await client.put(f"{BASE}/vendors/vendor-marina/catalog", json={"products": [{"sku": "A"}]})
        assert nothing.status_code == 400
        typed = await client.put(
            f"{BASE}/vendors/vendor-marina/catalog", json={"products": [{"sku": "A", "price": "ten"}]}
        )
        assert typed.status_code == 400
        vendor = await client.post(f"{BASE}/catalog", json={"vendors": ["ghost"], "products": [item("A")]})
        assert vendor.status_code == 404


async def test_update_cannot_create_and_keeps_quantity_hidden(tmp_path: Path) -> None:
    async with emulator(tmp_path / "p.sqlite") as client:
        await run_job(
            client,
            f"{BASE}/catalog/jobs",
            await client.post(
                f"{BASE}/catalog", json={"vendors": ["vendor-marina"], "products": [item("A")]}
            ),
        )
        answer = await client.put(
            f"{BASE}/vendors/vendor-marina/catalog",
            json={
                "products": [
                    {"sku": "A", "price": 11, "active": False, "quantity": 4},
                    {"sku": "Z", "price": 1},
                ]
            },
        )
        done = await run_job(client, f"{BASE}/catalog/jobs", answer)
        statuses = {f["sku"]: f["status"] for f in done["result"]["item_level_feedback"]}
        assert statuses == {"A": "ACCEPTED", "Z": "REJECTED"}
        [product] = (await client.get(f"{BASE}/vendors/vendor-marina/catalog")).json()["products"]
        assert (product["price"], product["active"]) == (11, False)
        assert "quantity" not in product
        inactive = await client.get(f"{BASE}/vendors/vendor-marina/catalog", params={"is_active": "true"})
        assert inactive.json()["products"] == []


async def test_pagination(tmp_path: Path) -> None:
    async with emulator(tmp_path / "p.sqlite") as client:
        products = [item(f"S-{i:03}") for i in range(250)]
        await run_job(
            client,
            f"{BASE}/catalog/jobs",
            await client.post(f"{BASE}/catalog", json={"vendors": ["vendor-marina"], "products": products}),
        )
        pages = []
        for page in (1, 2, 3):
            body = (
                await client.get(
                    f"{BASE}/vendors/vendor-marina/catalog", params={"page": page, "page_size": 100}
                )
            ).json()
            assert body["total_pages"] == 3
            pages.append(len(body["products"]))
        assert pages == [100, 100, 50]


async def test_promotions_are_jobs_without_read_back(tmp_path: Path) -> None:
    async with emulator(tmp_path / "p.sqlite") as client:
        await run_job(
            client,
            f"{BASE}/catalog/jobs",
            await client.post(
                f"{BASE}/catalog", json={"vendors": ["vendor-marina"], "products": [item("A")]}
            ),
        )
        promotion = {
            "vendors": ["vendor-marina"],
            "type": "STRIKETHROUGH",
            "active": True,
            "display_name": {"en_AE": "Sale"},
            "conditions": {"start_time": "2026-11-27T00:00:00Z", "end_time": "2026-11-30T00:00:00Z"},
            "discount": [{"discount_subtype": "PERCENTAGE", "discount_value": 15, "sku": ["A", "GONE"]}],
        }
        done = await run_job(
            client, f"{BASE}/promotion/jobs", await client.put(f"{BASE}/promotion", json=promotion)
        )
        assert done["job_status"] == "COMPLETED"
        assert done["result"]["missing_skus"] == {"vendor-marina": ["GONE"]}
        assert (await client.get(f"{BASE}/promotion")).status_code in (404, 405)
        bad = await client.put(f"{BASE}/promotion", json={**promotion, "type": "BOGO"})
        assert bad.status_code == 400


async def test_more_than_sixty_a_minute_is_blocked(tmp_path: Path) -> None:
    clock = FakeClock()
    async with emulator(tmp_path / "p.sqlite", rate_limit=60, clock=clock) as client:
        for _ in range(60):
            assert (await client.get(f"{BASE}/vendors/vendor-marina/catalog")).status_code == 200
        blocked = await client.get(f"{BASE}/vendors/vendor-marina/catalog")
        assert blocked.status_code == 429
        assert 1 <= int(blocked.headers["Retry-After"]) <= 60
        clock.now += 60
        assert (await client.get(f"{BASE}/vendors/vendor-marina/catalog")).status_code == 200
        stats = (await client.get("/_sandbox/stats")).json()
        assert stats["requests"]["GET /v2/chains/{chain_id}/vendors/{vendor_id}/catalog"] == 62
    assert CHAIN == "sandbox"
