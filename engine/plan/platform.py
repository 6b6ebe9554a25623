"""What the planner is told about a platform: what it can do and what it holds.

They are defined here, below the providers, because the planner reads them and must not depend on any
provider; :mod:`engine.platforms.base` hands them on to providers with the Provider protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.model import Asset, Catalog


@dataclass(frozen=True)
class Capabilities:
    """What a platform can do, so the planner chooses actions without knowing the platform.

    ``managed``: collections shelf creates and updates on this platform. ``deletable``: collections whose
    objects can be deleted; a managed collection not listed here is pruned by deactivation
    (``status: inactive``). ``referenced``: collections recipes may use as references only (xPage
    categories exist in the shop but cannot be created). ``max_image_bytes``: the largest image file the
    platform takes (None: no documented limit); ``image_types``: the MIME types of the images it takes
    (empty: any of JPEG, PNG, WebP and GIF, which recipes allow). Both are checked offline, before any
    request: the core passes them to the recipe checks (:mod:`engine.recipes.limits`).
    """

    managed: frozenset[str]
    deletable: frozenset[str] = frozenset()
    referenced: frozenset[str] = frozenset()
    max_image_bytes: int | None = None
    image_types: frozenset[str] = frozenset()
    barcodes: bool = False
    """Whether the platform stores a barcode per SKU; where it does not, recipes' barcodes are left out
    of the plan rather than shown as a change that can never be made."""
    images_by_url: bool = False
    """Whether the platform takes images as URLs only: local images are then published by the user at
    the target's ``image_base_url`` (``shelf assets export``)."""


@dataclass
class LiveState:
    """The shop as read: a canonical catalog plus, per address, the platform id and a version.

    ``versions`` hold the platform's version number or a content hash of the raw object, so a saved plan
    can tell whether the object changed since it was planned.
    """

    catalog: Catalog = field(default_factory=Catalog)
    ids: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)
    """Product key -> the key the shop still holds it under, for a product a recipe renames
    (``renamed_from``): the provider reads it under its recipe key, so the plan updates it."""
    orphans: dict[str, Asset] = field(default_factory=dict)
    """Address -> file: files shelf uploaded that nothing in the shop uses (a platform that can tell);
    deleted when the target prunes ``files`` (:mod:`engine.plan.orphans`)."""
