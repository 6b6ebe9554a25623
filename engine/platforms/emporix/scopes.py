"""The scopes Emporix's references list for each operation shelf calls, to explain a 403.

Most services' documented 403 bodies do not name the scope that was missing (product and price answer
a generic message, media "Missing required scopes", coupon "Not allowed to access this resource");
category and schema name it in ``details``. So when the body names no scope, shelf's error names the
operation and the scopes its reference lists: each operation's ``security`` section, and for reads
whose section is empty or vendor-only, the scopes its "additional scope information" says the call
needs in shelf's use (unpublished products and categories) or, for availability reads, the view scope
the service's security scheme describes ("Needed to view availabilities"). The ``*_by_vendor`` scopes
are left out: they restrict a key to one vendor's objects, which shelf's keys do not need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Operation:
    """One documented operation: its method, path template (as in the reference) and summary."""

    method: str
    template: str
    summary: str
    scopes: tuple[str, ...]
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = [r"[^/]+" if p.startswith("{") else re.escape(p) for p in self.template.split("/")]
        object.__setattr__(self, "_pattern", re.compile("/".join(parts) + "$"))

    @property
    def literal(self) -> int:
        """How many of its path segments are fixed: the more, the more specific the match."""
        return sum(1 for p in self.template.split("/") if p and not p.startswith("{"))

    def matches(self, method: str, path: str) -> bool:
        return method.upper() == self.method and self._pattern.match(path.split("?", 1)[0]) is not None


_PRODUCT_READ = ("product.product_read_unpublished",)
_PRODUCT_WRITE = ("product.product_manage", "product.product_publish", "product.product_unpublish")
_CATEGORY_READ = ("category.category_read_unpublished",)
_CATEGORY_WRITE = ("category.category_manage", "category.category_publish", "category.category_unpublish")
_MEDIA_READ = ("media.asset_read",)
_AVAILABILITY_MANAGE = ("availability.availability_manage",)

OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/product/{tenant}/products", "Retrieving all products", _PRODUCT_READ),
    Operation("GET", "/product/{tenant}/products/{productId}", "Retrieving a product", _PRODUCT_READ),
    Operation("PUT", "/product/{tenant}/products/{productId}", "Upserting a product", _PRODUCT_WRITE),
    Operation(
        "DELETE", "/product/{tenant}/products/{productId}", "Deleting a product", ("product.product_manage",)
    ),
    Operation("PUT", "/product/{tenant}/products/bulk", "Upserting multiple products", _PRODUCT_WRITE),
    Operation(
        "GET",
        "/product/{tenant}/product-templates",
        "Retrieving all product templates",
        ("product.product_template_read",),
    ),
    Operation(
        "POST",
        "/product/{tenant}/product-templates",
        "Creating a new product template",
        ("product.product_template_manage",),
    ),
    Operation(
        "GET",
        "/product/{tenant}/product-templates/{product-template-id}",
        "Retrieving a product template",
        ("product.product_template_read",),
    ),
    Operation(
        "PUT",
        "/product/{tenant}/product-templates/{product-template-id}",
        "Updating a product template",
        ("product.product_template_manage",),
    ),
    Operation(
        "DELETE",
        "/product/{tenant}/product-templates/{product-template-id}",
        "Deleting a product template",
        ("product.product_template_manage",),
    ),
    Operation("GET", "/category/{tenant}/categories", "Retrieving a list of categories", _CATEGORY_READ),
    Operation(
        "GET", "/category/{tenant}/categories/{categoryId}", "Retrieving a category details", _CATEGORY_READ
    ),
    Operation("PUT", "/category/{tenant}/categories/{categoryId}", "Upserting a category", _CATEGORY_WRITE),
    Operation(
        "DELETE",
        "/category/{tenant}/categories/{categoryId}",
        "Deleting a category",
        ("category.category_manage",),
    ),
    Operation(
        "PUT",
        "/category/{tenant}/categories/{categoryId}/assignments/references/{referenceId}",
        "Upserting a resource to a category assignment",
        ("category.category_manage",),
    ),
    Operation(
        "DELETE",
        "/category/{tenant}/categories/{categoryId}/assignments/references/{referenceId}",
        "Deleting a category assignment by reference id",
        ("category.category_manage",),
    ),
    Operation("GET", "/price/{tenant}/prices", "Retrieving all prices", ()),
    Operation("PUT", "/price/{tenant}/prices/{priceId}", "Upserting a price", ("price.price_manage",)),
    Operation("DELETE", "/price/{tenant}/prices/{priceId}", "Deleting a price", ("price.price_manage",)),
    Operation("PUT", "/price/{tenant}/prices/bulk", "Upserting multiple prices", ("price.price_manage",)),
    Operation(
        "GET", "/media/{tenant}/assets", "Retrieving all assets", ("media.asset_manage", "media.asset_read")
    ),
    Operation("POST", "/media/{tenant}/assets", "Creating an asset", ("media.asset_manage",)),
    Operation("GET", "/media/{tenant}/assets/{assetId}", "Retrieving an asset", _MEDIA_READ),
    Operation("PUT", "/media/{tenant}/assets/{assetId}", "Updating an asset", ("media.asset_manage",)),
    Operation("DELETE", "/media/{tenant}/assets/{assetId}", "Deleting an asset", ("media.asset_manage",)),
    Operation("GET", "/media/{tenant}/assets/{assetId}/download", "Downloading an asset", _MEDIA_READ),
    Operation(
        "GET",
        "/coupon/{tenant}/coupons",
        "Retrieving list of coupons by criteria",
        ("coupon.coupon_manage", "coupon.coupon_read"),
    ),
    Operation("POST", "/coupon/{tenant}/coupons", "Creating a new coupon", ("coupon.coupon_manage",)),
    Operation(
        "GET", "/coupon/{tenant}/coupons/{code}", "Retrieving information about particular coupon by code", ()
    ),
    Operation(
        "PUT", "/coupon/{tenant}/coupons/{code}", "Updating the coupon by code", ("coupon.coupon_manage",)
    ),
    Operation(
        "DELETE", "/coupon/{tenant}/coupons/{code}", "Deleting a coupon by code", ("coupon.coupon_manage",)
    ),
    Operation("GET", "/schema/{tenant}/schemas", "Retrieving all schemas", ()),
    Operation("POST", "/schema/{tenant}/schemas", "Creating a schema", ("schema.schema_manage",)),
    Operation("GET", "/schema/{tenant}/schemas/{id}", "Retrieving a schema", ()),
    Operation("PUT", "/schema/{tenant}/schemas/{id}", "Updating a schema", ("schema.schema_manage",)),
    Operation(
        "GET",
        "/availability/{tenant}/availability/site/{site}",
        "Retrieving all availability information for a site",
        ("availability.availability_view",),
    ),
    Operation(
        "POST",
        "/availability/{tenant}/availability/search",
        "Retrieving product availabilities",
        ("availability.availability_view",),
    ),
    Operation(
        "PUT",
        "/availability/{tenant}/availability/{productId}/{site}",
        "Upserting availability information of a product",
        _AVAILABILITY_MANAGE,
    ),
    Operation(
        "DELETE",
        "/availability/{tenant}/availability/{productId}/{site}",
        "Deleting availability information of a product",
        _AVAILABILITY_MANAGE,
    ),
    Operation(
        "PUT",
        "/availability/{tenant}/availability/bulk",
        "Upserting multiple availabilities information of a product",
        _AVAILABILITY_MANAGE,
    ),
)


def operation_of(method: str, path: str) -> Operation | None:
    """The documented operation ``method path`` (a concrete path, without base URL) calls."""
    found = [op for op in OPERATIONS if op.matches(method, path)]
    return max(found, key=lambda op: op.literal) if found else None
